#include "app.hpp"

int main() { return platform::run_service("auth", auth::install); }
