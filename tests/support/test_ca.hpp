#pragma once
// A certificate authority made for one test run, with the OpenSSL API: nothing secret is
// committed, and each run has keys of its own.
//
//   fd::test::TestCa ca("fake Kakao test CA");
//   auto server = ca.issue("localhost");          // a server certificate for that host
//   client.trust_ca_file(ca.certificate_file());  // the CA's certificate as a PEM file
#include <memory>
#include <string>

namespace fd::test {

class TestCa {
 public:
  // A certificate and its private key, PEM.
  struct Issued {
    std::string certificate;
    std::string private_key;
  };

  explicit TestCa(const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  // A server certificate valid for a day, for a DNS name or an IP address (its subjectAltName).
  Issued issue(const std::string& host) const;

  const std::string& certificate_file() const;  // its certificate, PEM, in a file removed with the CA

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fd::test
