#include "app.hpp"

int main(int argc, char** argv) { return platform::run_service("rider", argc, argv, rider::install); }
