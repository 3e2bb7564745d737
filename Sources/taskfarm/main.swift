print("taskfarm")
