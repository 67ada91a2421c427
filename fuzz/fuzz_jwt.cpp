// Bytes as a bearer token: platform::verify_jwt must answer anything with its claims or a
// Problem 401, never another exception. Random bytes rarely get past the signature, so each
// input is also tried signed with the secret (input + "." + its HS256 signature), which sends
// the fuzzer's header and payload to the JSON and claims checks. And tokens that sign_jwt
// issues for claims made of the input must verify to the same claims.
//
// Findings (abort): any exception but a Problem 401; claims accepted without subject, role or
// id, expired, or expiring further ahead than a token issued here can; a signed token that
// does not verify as it was issued; and whatever ASan/UBSan/libFuzzer catch.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "platform/jwt.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace {

const std::string kSecret = "fuzz-secret-for-the-jwt-target";
constexpr std::int64_t kNow = 1795312345;  // epoch seconds
constexpr std::int64_t kAccessLifetime = 900;

[[noreturn]] void finding(const std::string& what) {
  std::fprintf(stderr, "FINDING: %s\n", what.c_str());
  std::abort();
}

std::string signature(std::string_view signing_input) { return platform::hs256_signature(signing_input, kSecret); }

// Claims when verify_jwt accepts the token; a Problem 401 is its answer otherwise.
bool verify(const std::string& token, platform::Claims& claims) {
  try {
    claims = platform::verify_jwt(token, kSecret, kNow, kAccessLifetime);
  } catch (const platform::Problem& problem) {
    if (problem.status != 401) finding("verify_jwt threw Problem " + std::to_string(problem.status));
    return false;
  } catch (const std::exception& error) {
    finding(std::string("verify_jwt threw a non-Problem exception: ") + error.what());
  }
  if (claims.subject.empty() || claims.role.empty()) finding("verify_jwt accepted a token without sub or role");
  if (claims.token_id.empty()) finding("verify_jwt accepted a token without jti");
  if (claims.expires_at <= kNow) finding("verify_jwt accepted an expired token");
  auto lifetime = claims.role == "service" ? platform::kServiceTokenSeconds : kAccessLifetime;
  if (claims.expires_at - kNow > lifetime + platform::kClockLeewaySeconds)
    finding("verify_jwt accepted a token expiring further ahead than any issued here");
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  platform::Claims claims;

  // As it comes, e.g. from an Authorization header.
  verify(input, claims);

  // The input as header.payload, signed with the right secret.
  verify(input + "." + signature(input), claims);

  // Claims made of the input, issued by sign_jwt: they must come back as they were. Subjects
  // and roles are ASCII where tokens are issued (usernames, role names), so only ASCII here.
  for (unsigned char c : input)
    if (c >= 0x80) return 0;
  platform::Claims issued;
  std::string* fields[] = {&issued.subject, &issued.role, &issued.store_id, &issued.token_id};
  std::size_t at = 0;
  for (auto* field : fields) {
    auto end = input.find('\n', at);
    *field = input.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (end == std::string::npos) break;
    at = end + 1;
  }
  // Auth issues only these: a subject, a role, an id, and a store's id where there is one.
  if (issued.subject.empty() || issued.role.empty() || issued.token_id.empty()) return 0;
  if (!issued.store_id.empty() && !platform::fields::positive_id(issued.store_id)) return 0;
  issued.issued_at = kNow;
  issued.expires_at = kNow + platform::kServiceTokenSeconds;
  if (!verify(platform::sign_jwt(issued, kSecret), claims)) finding("a token sign_jwt issued does not verify");
  if (claims.subject != issued.subject || claims.role != issued.role || claims.store_id != issued.store_id ||
      claims.token_id != issued.token_id || claims.issued_at != issued.issued_at ||
      claims.expires_at != issued.expires_at)
    finding("a token sign_jwt issued verifies to other claims");
  return 0;
}
