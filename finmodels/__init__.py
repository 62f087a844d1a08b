"""finmodels: the computing core of the risk dashboard.

Importing this package is cheap: TensorFlow, Keras and SHAP are imported only inside the modules
that build, train or explain models (`architectures`, `training`, `explain`, `bundle`).
"""

__version__ = "0.1.0"
