"""The core: each formula of the network once, as plain readable code.

- :mod:`~barenet.core.activations` -- activations, forward and derivative side by side;
- :mod:`~barenet.core.losses` -- losses: value, gradient, and the fused output gradient;
- :mod:`~barenet.core.linear`, :mod:`~barenet.core.normalization`,
  :mod:`~barenet.core.regularization` -- the layers: the linear step, batch
  normalization, L2 and dropout;
- :mod:`~barenet.core.initializers` -- the weight initializations.

Every function returns new arrays and uses operations that array libraries
share. The core imports nothing else of barenet but its argument checks;
the fast layer (:mod:`barenet.fast`) runs the same formulas in place on NumPy.
"""
