// Empty: the declaration in include/CFuzzerDriver.h is the whole module.
