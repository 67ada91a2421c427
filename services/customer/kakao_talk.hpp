#pragma once
// The messengers a notification can go through, chosen by the settings:
//   FD_KAKAO_TOKEN set    Kakao's REST message API: POST {FD_KAKAO_BASE_URL}{FD_KAKAO_PATH}
//                         with the token as Bearer; answered {"result_code":0} → SENT
//                         (notifications.cpp marks each attempt SENDING first)
//   FD_KAKAO_TOKEN unset  kept in our table only → RECORDED
// Kakao itself (https://kapi.kakao.com) is reached over TLS, its certificate checked against
// the system's CA store; FD_KAKAO_CA_FILE adds a CA (a private gateway's, a test's).
#include <memory>

#include "notifications.hpp"
#include "platform/config.hpp"

namespace customer {

// Throws std::invalid_argument naming the setting when the settings cannot work.
std::unique_ptr<Messenger> messenger_from(const platform::Config& config);

}  // namespace customer
