#include "app.hpp"

int main() { return platform::run_service("payment", payment::install); }
