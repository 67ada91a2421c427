#include "app.hpp"

int main(int argc, char** argv) { return platform::run_service("order", argc, argv, order::install); }
