"""Process-wide locks shared by the stages, kept here so that neither stage imports the other.

shap's gradient explainers swap entries of TensorFlow's process-wide gradient registry while they run (about
a second). Several sessions of one server explain and train in threads: two explanations at once would each
save the other's swapped state and "restore" it, and a training step traced meanwhile would record with the
patch. So explaining with gradients and fitting a network take `GRADIENT_LOCK`, one at a time.
"""

import threading

GRADIENT_LOCK = threading.Lock()
