"""The core: each formula of the network once, as plain readable code.

- [`activations`][barenet.core.activations] -- activations, forward and derivative side by side;
- [`losses`][barenet.core.losses] -- losses: value, gradient, and the fused output gradient;
- [`linear`][barenet.core.linear], [`normalization`][barenet.core.normalization],
  [`regularization`][barenet.core.regularization] -- the layers: the linear step, batch
  normalization, L2 and dropout;
- [`initializers`][barenet.core.initializers] -- the weight initializations.

Every function returns new arrays and uses operations that array libraries
share. The core imports nothing else of barenet but its argument checks;
the fast layer ([`barenet.fast`][barenet.fast]) runs the same formulas in place on NumPy.
"""
