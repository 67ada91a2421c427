#include "app.hpp"

int main() { return platform::run_service("order", order::install); }
