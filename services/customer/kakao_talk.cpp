#include "kakao_talk.hpp"

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "domain/kakao.hpp"
#include "domain/notification.hpp"
#include "platform/http_client.hpp"
#include "platform/log.hpp"

namespace customer {

namespace {

// Each call under way holds a thread and a connection.
constexpr std::int64_t kMostParallelCalls = 64;

class KakaoTalk final : public Messenger {
 public:
  KakaoTalk(std::string base_url, const std::string& path, std::string token, std::string link_base,
            std::chrono::milliseconds timeout, std::string ca_file, std::size_t parallel_calls)
      : base_url_(std::move(base_url)),
        target_(path_of(base_url_) + path),
        authorization_("Bearer " + std::move(token)),
        link_base_(std::move(link_base)),
        timeout_(timeout),
        ca_file_(std::move(ca_file)),
        parallel_calls_(parallel_calls) {
    idle_.push_back(connect());  // a CA file that cannot be read stops the start
  }

  std::size_t parallel_calls() const override { return parallel_calls_; }

  std::string deliver(const Notification& notification) override {
    auto link = link_base_ + "/orderStatuses/" + std::to_string(notification.order_id);
    Borrowed client(*this);
    auto response = client->send("POST", target_, kakao::text_message_form(notification.text, link),
                                 {{"Authorization", authorization_}, {"Content-Type", kakao::kContentType}});
    if (auto why = kakao::refusal(response.status, response.body); !why.empty()) throw std::runtime_error(why);
    return delivery_state::Sent;
  }

 private:
  // A client serves one call at a time: each call under way has one, kept for the next call
  // with its connection open.
  class Borrowed {
   public:
    explicit Borrowed(KakaoTalk& owner) : owner_(owner), client_(owner.take()) {}
    ~Borrowed() { owner_.give_back(std::move(client_)); }
    Borrowed(const Borrowed&) = delete;
    Borrowed& operator=(const Borrowed&) = delete;
    platform::HttpClient* operator->() { return client_.get(); }

   private:
    KakaoTalk& owner_;
    std::unique_ptr<platform::HttpClient> client_;
  };

  std::unique_ptr<platform::HttpClient> connect() const {
    auto client = std::make_unique<platform::HttpClient>(platform::HttpClient::to(base_url_, timeout_));
    if (ca_file_.empty()) return client;
    try {
      client->trust_ca_file(ca_file_);
    } catch (const std::invalid_argument& error) {
      throw std::invalid_argument(std::string("FD_KAKAO_CA_FILE: ") + error.what());
    }
    return client;
  }

  std::unique_ptr<platform::HttpClient> take() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        auto client = std::move(idle_.back());
        idle_.pop_back();
        return client;
      }
    }
    return connect();
  }

  void give_back(std::unique_ptr<platform::HttpClient> client) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(client));
  }

  // A base URL may carry a path, e.g. a gateway's https://gateway.example/kakao.
  static std::string path_of(const std::string& url) {
    auto authority = url.find("://");
    auto slash = url.find('/', authority == std::string::npos ? 0 : authority + 3);
    if (slash == std::string::npos) return {};
    auto path = url.substr(slash);
    while (!path.empty() && path.back() == '/') path.pop_back();
    return path;
  }

  std::string base_url_;
  std::string target_;
  std::string authorization_;
  std::string link_base_;
  std::chrono::milliseconds timeout_;
  std::string ca_file_;
  std::size_t parallel_calls_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<platform::HttpClient>> idle_;
};

class LocalRecord final : public Messenger {
 public:
  std::size_t parallel_calls() const override { return 0; }
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
  auto parallel_calls = config.integer("KAKAO_PARALLEL_CALLS", 8);
  if (parallel_calls < 1 || parallel_calls > kMostParallelCalls)
    throw std::invalid_argument("FD_KAKAO_PARALLEL_CALLS must be a number from 1 to " +
                                std::to_string(kMostParallelCalls) + ": " + std::to_string(parallel_calls));
  platform::log::info("KakaoTalk messages are sent", {{"url", base_url + path},
                                                      {"caFile", ca_file},
                                                      {"parallelCalls", std::to_string(parallel_calls)}});
  return std::make_unique<KakaoTalk>(base_url, path, token, link_base, timeout, ca_file,
                                     static_cast<std::size_t>(parallel_calls));
}

}  // namespace customer
