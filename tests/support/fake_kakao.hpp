#pragma once
// A stand-in for Kakao's message REST API (kapi.kakao.com) on a free local port, served by
// the platform's own HTTP server in a thread:
//
//   fd::test::FakeKakao kakao;                       // http://127.0.0.1:<port>
//   TestPlatform platform({{"FD_KAKAO_BASE_URL", kakao.base_url()}, {"FD_KAKAO_TOKEN", kakao.token()}});
//   kakao.fail_next(2);                              // the next two requests get HTTP 500
//   kakao.hold_answers();                            // record, but answer only at release_answers()
//   kakao.answer_after(std::chrono::milliseconds(100)); // as slow as a distant API (benchmarks)
//   kakao.messages();                                // what it accepted, in order
//
//   fd::test::FakeKakao tls(FakeKakao::Tls{});       // https://localhost:<port>, as Kakao is
//   ... {"FD_KAKAO_BASE_URL", tls.base_url()}, {"FD_KAKAO_CA_FILE", tls.ca_file()}
//
// It checks each request as Kakao documents it: POST to the memo path, Authorization
// "Bearer <token>", an application/x-www-form-urlencoded body whose template_object is a
// JSON text template ({"object_type":"text","text":...,"link":{"web_url":...}}). A request
// that is not so is answered 4xx and listed in problems().
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace fd::test {

class FakeKakao {
 public:
  struct Message {
    std::string text;
    std::string web_url;
    std::string mobile_web_url;
  };

  // Over TLS: a certificate for `certified_host`, signed by a CA made for this fake at start.
  struct Tls {
    std::string certified_host = "localhost";
  };

  explicit FakeKakao(std::string token = "test-token", std::string path = "/v2/api/talk/memo/default/send");
  explicit FakeKakao(Tls tls, std::string token = "test-token",
                     std::string path = "/v2/api/talk/memo/default/send");
  ~FakeKakao();
  FakeKakao(const FakeKakao&) = delete;
  FakeKakao& operator=(const FakeKakao&) = delete;

  std::string base_url() const;  // http://127.0.0.1:<port>, or over TLS https://localhost:<port>
  // Over TLS, the fake's CA certificate (PEM) that a client must trust; empty otherwise.
  const std::string& ca_file() const;
  const std::string& token() const;

  // Answers the next n well-formed requests with HTTP 500, without recording them.
  void fail_next(int n);
  // While held, a well-formed request is recorded (Kakao has shown the message) but its answer
  // waits until release_answers() or the fake's end: a sender stopped meanwhile never learns.
  void hold_answers();
  void release_answers();
  // Each well-formed request is recorded at once and answered after `delay` (up to 16 at once).
  void answer_after(std::chrono::milliseconds delay);

  std::vector<Message> messages() const;       // accepted, in arrival order
  std::vector<std::string> problems() const;   // why each malformed request was refused
  int requests() const;                        // every request to the memo path, failed ones included
  int held() const;                            // requests recorded whose answer is held now

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fd::test
