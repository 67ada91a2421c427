#include "app.hpp"

int main(int argc, char** argv) { return platform::run_service("store", argc, argv, store::install); }
