"""Introduction to PyTorch: the seminar's exercises, one module per part.

part1_tensors    creating and combining tensors
part2_layers     layers and activations
part3_network    a network that classifies points on a plane
part4_autograd   gradients by autograd and by hand
part5_training   optimizers and the train loop
part6_minibatch  mini-batches with a DataLoader
part7_boundary   a picture of the decision boundary
data             toy data sets (provided, not graded)
"""
