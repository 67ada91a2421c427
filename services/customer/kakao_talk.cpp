#include "kakao_talk.hpp"

#include <chrono>
#include <stdexcept>

#include "domain/kakao.hpp"
#include "domain/notification.hpp"
#include "platform/http_client.hpp"
#include "platform/log.hpp"

namespace customer {

namespace {

class KakaoTalk final : public Messenger {
 public:
  KakaoTalk(const std::string& base_url, const std::string& path, std::string token, std::string link_base,
            std::chrono::milliseconds timeout, const std::string& ca_file)
      : client_(platform::HttpClient::to(base_url, timeout)),
        target_(path_of(base_url) + path),
        authorization_("Bearer " + std::move(token)),
        link_base_(std::move(link_base)) {
    if (ca_file.empty()) return;
    try {
      client_.trust_ca_file(ca_file);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(std::string("FD_KAKAO_CA_FILE: ") + error.what());
    }
  }

  std::string deliver(const Notification& notification) override {
    auto link = link_base_ + "/orderStatuses/" + std::to_string(notification.order_id);
    auto response = client_.send("POST", target_, kakao::text_message_form(notification.text, link),
                                 {{"Authorization", authorization_}, {"Content-Type", kakao::kContentType}});
    if (auto why = kakao::refusal(response.status, response.body); !why.empty()) throw std::runtime_error(why);
    return delivery_state::Sent;
  }

 private:
  // A base URL may carry a path, e.g. a gateway's https://gateway.example/kakao.
  static std::string path_of(const std::string& url) {
    auto authority = url.find("://");
    auto slash = url.find('/', authority == std::string::npos ? 0 : authority + 3);
    if (slash == std::string::npos) return {};
    auto path = url.substr(slash);
    while (!path.empty() && path.back() == '/') path.pop_back();
    return path;
  }

  platform::HttpClient client_;
  std::string target_;
  std::string authorization_;
  std::string link_base_;
};

class LocalRecord final : public Messenger {
 public:
  std::string deliver(const Notification&) override { return delivery_state::Recorded; }
};

}  // namespace

std::unique_ptr<Messenger> messenger_from(const platform::Config& config) {
  auto token = config.get("KAKAO_TOKEN", "");
  if (token.empty()) {
    platform::log::info("no FD_KAKAO_TOKEN: KakaoTalk messages are recorded here, not sent");
    return std::make_unique<LocalRecord>();
  }
  auto base_url = config.get("KAKAO_BASE_URL", "https://kapi.kakao.com");
  auto path = config.get("KAKAO_PATH", "/v2/api/talk/memo/default/send");
  if (base_url.rfind("https://", 0) != 0 && base_url.rfind("http://", 0) != 0)
    throw std::invalid_argument("FD_KAKAO_BASE_URL must be an https:// (or http://) URL: " + base_url);
  if (path.empty() || path.front() != '/') throw std::invalid_argument("FD_KAKAO_PATH must start with '/': " + path);
  auto timeout = std::chrono::milliseconds(config.integer("KAKAO_TIMEOUT_MS", 3000));
  if (timeout.count() <= 0) throw std::invalid_argument("FD_KAKAO_TIMEOUT_MS must be a positive number of milliseconds");
  auto link_base = config.get("KAKAO_LINK_URL", "http://127.0.0.1:" + config.get("GATEWAY_PORT", "8088"));
  auto ca_file = config.get("KAKAO_CA_FILE", "");
  platform::log::info("KakaoTalk messages are sent", {{"url", base_url + path}, {"caFile", ca_file}});
  return std::make_unique<KakaoTalk>(base_url, path, token, link_base, timeout, ca_file);
}

}  // namespace customer
