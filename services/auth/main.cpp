#include "app.hpp"

int main(int argc, char** argv) { return platform::run_service("auth", argc, argv, auth::install); }
