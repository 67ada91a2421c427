#pragma once
// KakaoTalk notifications (R10) as rules: one message per order status change, in the
// customer's words, and how patiently a failed delivery is retried. No I/O here.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/order_status.hpp"

namespace customer {

namespace delivery_state {
inline constexpr const char* Pending = "PENDING";    // not delivered yet, or failed and waiting to retry
inline constexpr const char* Sent = "SENT";          // Kakao accepted it
inline constexpr const char* Recorded = "RECORDED";  // kept here only: no Kakao token is configured
}  // namespace delivery_state

// The Korean label of an order status word (PLACED → 주문됨); empty for an unknown word.
std::string_view korean_label(std::string_view status);

// The message for the view's current status, e.g. "[음식배달] 주문 12 교촌치킨 강남역점: 조리시작".
std::string message_text(const OrderStatus& view);

// How long to wait after the n-th failed attempt: 0.5 s, doubling, at most 60 s.
std::chrono::milliseconds retry_delay(std::int64_t failed_attempts);

}  // namespace customer
