#include "app.hpp"

int main() { return platform::run_service("store", store::install); }
