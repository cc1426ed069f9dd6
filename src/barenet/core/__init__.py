"""The core: each formula of the network once, as plain readable code.

- [`activations`][barenet.core.activations] -- activations, forward and derivative side by side;
- [`losses`][barenet.core.losses] -- losses: value, gradient, and the fused output gradient;
- [`linear`][barenet.core.linear], [`normalization`][barenet.core.normalization],
  [`regularization`][barenet.core.regularization] -- the layers: the linear step, batch
  normalization, L2 and dropout;
- [`initializers`][barenet.core.initializers] -- the weight initializations;
- [`namespace`][barenet.core.namespace] -- the array library a formula computes in: its inputs'.

Every function returns new arrays, computed with the Array API standard's
functions in the namespace of its inputs (NumPy, PyTorch, CuPy...). The core
imports nothing else of barenet but its argument checks;
the fast layer ([`barenet.fast`][barenet.fast]) runs the same formulas in place on NumPy.
"""
