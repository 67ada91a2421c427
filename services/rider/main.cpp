#include "app.hpp"

int main() { return platform::run_service("rider", rider::install); }
