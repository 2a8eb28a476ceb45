"""`annotate serve`: Label Studio's ML backend protocol over annotate's model.

protocol (requests in, predictions out, the labeling config check), service (the model being
served and the one training at a time), app (the Flask routes, auth, errors), run (the server).
"""
