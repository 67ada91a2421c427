#include "app.hpp"

int main(int argc, char** argv) { return platform::run_service("payment", argc, argv, payment::install); }
