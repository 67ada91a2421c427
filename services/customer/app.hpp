#pragma once
// The customer service's adapters: the status view's HTTP handlers and the reactions that
// project events into it and queue the KakaoTalk messages.
namespace customer {

// Serves until SIGTERM/SIGINT; returns the process exit code.
int serve();

}  // namespace customer
