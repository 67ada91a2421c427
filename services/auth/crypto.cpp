#include <argon2.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <stdexcept>

#include "app.hpp"

namespace auth {

namespace {

// One of the Argon2id settings OWASP's Password Storage Cheat Sheet gives as an equal defence
// (19 MiB and 2 passes, 12 MiB and 3, 9 MiB and 4, 7 MiB and 5): the least memory, since two
// logins hash at once in each replica and the platform's memory is what is scarce; the CPU is
// about the same (7 MiB x 5 passes against 19 MiB x 2).
constexpr std::uint32_t kTimeCost = 5, kMemoryKiB = 7 * 1024, kLanes = 1;
constexpr std::size_t kSaltBytes = 16, kDigestBytes = 32;

// The part of an encoded hash before its salt: the algorithm, its version and its parameters.
std::string parameters_part() {
  char parameters[64];
  std::snprintf(parameters, sizeof parameters, "$argon2id$v=%d$m=%u,t=%u,p=%u$", ARGON2_VERSION_NUMBER, kMemoryKiB,
                kTimeCost, kLanes);
  return parameters;
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

}  // namespace

std::string hash_password(const std::string& password) {
  unsigned char salt[kSaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("no randomness for a password salt");
  char encoded[128];
  int rc = argon2id_hash_encoded(kTimeCost, kMemoryKiB, kLanes, password.data(), password.size(), salt, sizeof salt,
                                 kDigestBytes, encoded, sizeof encoded);
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2id failed: ") + argon2_error_message(rc));
  return encoded;
}

std::string unmatchable_hash() {
  // Argon2's encoding: standard base64 without padding.
  auto base64 = [](const unsigned char* bytes, int size) {
    std::string out(4 * ((size + 2) / 3) + 1, '\0');
    out.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, size)));
    while (!out.empty() && out.back() == '=') out.pop_back();
    return out;
  };
  unsigned char salt[kSaltBytes], digest[kDigestBytes];
  if (RAND_bytes(salt, sizeof salt) != 1 || RAND_bytes(digest, sizeof digest) != 1)
    throw std::runtime_error("no randomness for the unknown usernames' hash");
  return parameters_part() + base64(salt, sizeof salt) + "$" + base64(digest, sizeof digest);
}

bool password_matches(const std::string& encoded, const std::string& password) {
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool hashed_as_today(const std::string& encoded) { return encoded.rfind(parameters_part(), 0) == 0; }

std::string random_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no randomness for a token");
  return hex(bytes, sizeof bytes);
}

}  // namespace auth
