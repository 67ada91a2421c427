#include "app.hpp"

int main() { return platform::run_service("customer", customer::install); }
