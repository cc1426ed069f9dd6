# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A neural network from scratch, block by block
#
# This tutorial builds an L-layer fully connected network the way the classic notebook does --
# initialize, forward, cost, backward, update -- with barenet's step-by-step functions, checks
# every block, and then does the same in five lines with `barenet.Network`.
#
# Open it with Jupyter (`jupytext --to notebook docs/tutorial.py`, or open the `.py` file
# directly with the Jupytext extension), or run it as a script: `python docs/tutorial.py`.

# %%
# %matplotlib inline
import numpy as np
from matplotlib.figure import Figure

import barenet
from barenet import activations, datasets, notebook as nb, plot

rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. Activation functions and their derivatives
#
# A layer computes a linear step $Z = WA_{prev} + b$ and then an activation $A = g(Z)$. Back
# propagation needs each $g'(z)$, so in barenet every activation keeps its forward pass and its
# derivative side by side. The derivative is computed from $Z$ and $A$ together: for the sigmoid
# $\sigma' = \sigma(1-\sigma)$ uses the output, for ReLU the sign of the input.

# %%
z = np.linspace(-4, 4, 401).reshape(1, -1)
fig = Figure(figsize=(12, 3.2), layout="constrained")
axes = fig.subplots(1, 4)
for ax, name in zip(axes, ["sigmoid", "tanh", "relu", "leaky_relu"]):
    g = activations.get(name) if name != "leaky_relu" else activations.LeakyReLU(0.1)
    a = g.forward(z)
    derivative = g.backward(np.ones_like(z), z, a)  # dA = 1 gives g'(z)
    ax.plot(z[0], a[0], label="g(z)")
    ax.plot(z[0], derivative[0], "--", label="g'(z)")
    ax.set_title(name + (" (slope 0.1)" if name == "leaky_relu" else ""))
    ax.grid(alpha=0.3)
axes[0].legend()
fig

# %% [markdown]
# The sigmoid's derivative is at most 1/4 and vanishes for large $|z|$: deep stacks of sigmoids
# pass back tiny gradients. ReLU passes the gradient through unchanged wherever $z > 0$.
#
# ## 2. Initialization: why the scale matters
#
# Weights start as standard normal draws times a scale: 0.01 ("random"), $\sqrt{1/n_{prev}}$
# (Xavier) or $\sqrt{2/n_{prev}}$ (He). Push a batch through a 10-layer ReLU network and watch
# the spread of the activations, layer by layer.

# %%
X_wide = rng.normal(size=(100, 1000))  # 100 features x 1000 samples: the notebook's layout
layer_shape = [100] * 11
fig = Figure(figsize=(6, 3.5), layout="constrained")
ax = fig.subplots()
for method in ["random", "xavier", "he"]:
    params = nb.initialize_parameters(layer_shape, method, seed=1)
    A, stds = X_wide, []
    for l in range(1, 11):
        A = nb.relu(params[f"W{l}"] @ A + params[f"b{l}"])
        stds.append(A.std())
    ax.semilogy(range(1, 11), stds, "o-", label=method)
ax.set_xlabel("layer")
ax.set_ylabel("std of activations")
ax.legend()
ax.grid(alpha=0.3, which="both")
fig

# %% [markdown]
# With 0.01 the signal shrinks about fifteenfold per layer and is all but gone by layer 4
# (every gradient with it); with Xavier's scale ReLU still loses about a third of the spread at
# each layer; He's factor 2 makes up for the half of the units ReLU switches off, and the
# spread stays put. That is why ReLU networks start with He.
#
# ## 3. Forward propagation and the cost
#
# Two interleaving half moons, two classes. The notebook's layout puts one sample per column.

# %%
moons = datasets.make_moons(n_samples=400, noise=0.2, seed=0)
X, Y = moons.X_train.T, moons.y_train.reshape(1, -1).astype(float)
X_test, Y_test = moons.X_test.T, moons.y_test.reshape(1, -1).astype(float)
print("X", X.shape, "Y", Y.shape)

layer_shape = [2, 5, 2, 1]
layer_activations = ["relu", "relu", "sigmoid"]  # one per weight layer
parameters = nb.initialize_parameters(layer_shape, "he", seed=3)
AL, caches = nb.forward_prop(X, layer_activations, parameters)
print("first predictions", AL[0, :5].round(3))
print("cost at the start", nb.cost(AL, Y))

# %% [markdown]
# The cost is the cross-entropy
# $J = -\frac{1}{m}\sum_i \big(y^{(i)}\log a^{(i)} + (1-y^{(i)})\log(1-a^{(i)})\big)$, about
# $\log 2 \approx 0.69$ for a network that does not know anything yet.
#
# ## 4. Back propagation, confirmed
#
# Each sample's loss has the derivative $\partial\ell/\partial a = -(y/a - (1-y)/(1-a))$, one
# entry per sample (not a sum over samples). Through the sigmoid it simplifies to
# $dZ^{[L]} = A^{[L]} - Y$, and each layer then gives $dW = \frac{1}{m} dZ\,A_{prev}^T$,
# $db = \frac{1}{m}\sum_i dZ^{(i)}$ and $dA_{prev} = W^T dZ$.
#
# Are the formulas right? Nudge every parameter by $\pm\epsilon$, measure the change of the cost,
# and compare with the gradient back propagation computed: in float64 the relative difference of
# a correct implementation is around $10^{-9}$ or less.

# %%
grads = nb.backward_prop(AL, Y, caches, layer_activations)
print("dW1 shape", grads["dW1"].shape, "db3", grads["db3"].ravel())
error = barenet.gradient_check(parameters, X[:, :50], Y[:, :50],
                               layer_activations=layer_activations)
print(f"relative error of back propagation: {error:.1e}")
assert error < 1e-7

# %% [markdown]
# ## 5. Four optimizers on the same problem
#
# - **Gradient descent** steps against the gradient of each mini-batch: $\theta \mathrel{-}= \alpha g$.
# - **Momentum** steps along a running average of the gradients, $v = \beta v + (1-\beta)g$,
#   which smooths the zig-zag of noisy mini-batch gradients.
# - **RMSProp** divides each gradient by the running root mean square of its history,
#   $s = \beta s + (1-\beta)g^2$, $\theta \mathrel{-}= \alpha g / (\sqrt{s}+\epsilon)$: every
#   parameter gets its own step size, large where gradients are small.
# - **Adam** does both, with bias corrections for the first steps.
#
# Same network, same initial weights, same learning rate, same mini-batches:

# %%
results = {}
for optimizer in [barenet.GD(lr=0.0075), barenet.Momentum(lr=0.0075, beta=0.9),
                  barenet.RMSProp(lr=0.0075), barenet.Adam(lr=0.0075)]:
    net = barenet.Network([2, 5, 2, 1], ["relu", "relu", "sigmoid"], seed=3)
    history = net.fit(moons.X_train, moons.y_train, optimizer=optimizer, epochs=1000,
                      batch_size=64)
    results[type(optimizer).__name__] = (net, history)
    print(f"{type(optimizer).__name__:9s} test accuracy "
          f"{net.evaluate(moons.X_test, moons.y_test)['accuracy']:.3f}")
plot.optimizer_comparison(results, moons.X_train, moons.y_train)

# %% [markdown]
# At this small learning rate plain gradient descent and momentum (whose average has the same
# scale as the gradient) are still drawing a straight line after 1000 epochs; RMSProp and Adam,
# which rescale each parameter's step, have found the moons.
#
# ## 6. The whole L-layer model, then the same in five lines
#
# Putting the blocks together -- mini-batches, forward, cost, backward, update -- is
# `nb.L_layer_model`, a loop over exactly the functions above:

# %%
parameters, costs = nb.L_layer_model(X, Y, [2, 16, 8, 1], ["relu", "relu", "sigmoid"],
                                     optimizer=barenet.Adam(lr=0.01), num_epochs=300,
                                     mini_batch_size=64, seed=0)
accuracy = (nb.predict(X_test, parameters, ["relu", "relu", "sigmoid"]) == Y_test).mean()
print(f"step by step: final cost {costs[-1]:.3f}, test accuracy {accuracy:.3f}")

# %% [markdown]
# `Network` runs the same math (every formula above is shared, not rewritten) with data laid
# out one sample per row, as scikit-learn and PyTorch expect. `barenet.LivePlot` redraws the
# learning curves and the boundary in place as it trains (every 50 epochs here; run the cell
# in Jupyter to watch it move):

# %%
net = barenet.Network([2, 16, 8, 1], ["relu", "relu", "sigmoid"], seed=0)
live = barenet.LivePlot(every=50, X=moons.X_train, y=moons.y_train)
history = net.fit(moons.X_train, moons.y_train, optimizer=barenet.Adam(lr=0.01), epochs=300,
                  batch_size=64, validation_data=(moons.X_test, moons.y_test), callbacks=[live])
print("Network: test accuracy", net.evaluate(moons.X_test, moons.y_test)["accuracy"])

# %% [markdown]
# What did it learn? `plot.network` draws every neuron as a map of its activation over the
# input plane: straight cuts in the first hidden layer, bends made of them in the second, the
# boundary at the output. Lines are weights, thicker when larger, purple positive, green
# negative.

# %%
plot.network(net, moons.X_train)

# %% [markdown]
# ### Regularization on a data set that overfits
#
# Sixty noisy training points and a network with ten thousand weights: it learns the
# training set by heart. L2 regularization (a cost of $\frac{\lambda}{2m}\sum\|W\|^2$) and
# dropout (switching off random hidden units at each step) make it find a smoother boundary.

# %%
small = datasets.make_moons(n_samples=600, noise=0.35, test_size=0.9, seed=4)
models = {
    "no regularization": {},
    "L2, lambda = 0.5": {"l2": 0.5},
    "dropout 0.5": {"dropout": 0.5},
}
fig = Figure(figsize=(13, 4), layout="constrained")
for ax, (title, kwargs) in zip(fig.subplots(1, 3), models.items()):
    net = barenet.Network([2, 100, 100, 1], ["relu", "relu", "sigmoid"], seed=0, **kwargs)
    net.fit(small.X_train, small.y_train, optimizer=barenet.Adam(lr=0.01), epochs=1000,
            batch_size=None)
    train = net.evaluate(small.X_train, small.y_train)["accuracy"]
    test = net.evaluate(small.X_test, small.y_test)["accuracy"]
    plot.draw_decision_boundary(ax, net, small.X_train, small.y_train)
    ax.set_title(f"{title}\ntrain {train:.2f}, test {test:.2f}")
fig

# %% [markdown]
# The unregularized network scores 100% on its sixty points and about 70% on the unseen ones;
# the regularized ones give up some training accuracy and score well above it on the test set.
#
# Where next: `barenet compare` and `barenet train` run these experiments from the command
# line, and the user guide covers saving models, checkpoints, schedules and the scikit-learn
# estimators.
