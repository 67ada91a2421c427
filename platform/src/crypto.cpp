#include "platform/crypto.hpp"

// RAND_METHOD is deprecated since OpenSSL 3.0 in favour of a provider, which is the very
// cost this file avoids (platform/crypto.hpp); Debian 12's OpenSSL 3.0 keeps it. Should a
// later OpenSSL drop it, tests/alone/openssl_providers_test.cpp fails: what then still asks
// OpenSSL for random bytes without TLS is libnats, once, when it connects.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rand.h>
#include <sodium.h>
#include <sys/random.h>

#include <cerrno>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

namespace platform {

namespace {

int kernel_bytes(unsigned char* buffer, int size) {
  auto* at = buffer;
  auto left = static_cast<std::size_t>(size < 0 ? 0 : size);
  while (left > 0) {
    // Requests of more than 256 bytes may come back short, and a signal may interrupt any.
    auto got = getrandom(at, left, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return 0;
    }
    at += got;
    left -= static_cast<std::size_t>(got);
  }
  return 1;
}

int kernel_ready() { return 1; }  // getrandom(2) blocks until the kernel's pool is seeded

const RAND_METHOD kKernel = {
    .seed = nullptr,
    .bytes = kernel_bytes,
    .cleanup = nullptr,
    .add = nullptr,
    .pseudorand = kernel_bytes,
    .status = kernel_ready,
};

// libsodium asks to be initialised before use; once per process, from any thread.
void need_sodium() {
  static const int ready = sodium_init();
  if (ready < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace

void draw_openssl_randomness_from_kernel() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (RAND_set_rand_method(&kKernel) != 1)
      throw std::runtime_error("OpenSSL refused getrandom(2) as its source of random bytes");
  });
}

std::string sha256_hex(std::string_view text) {
  need_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, 2 * sizeof digest);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  // The key's inner and outer blocks are hashed once per thread and key, and the state copied
  // for each message: two of a token's four SHA-256 blocks.
  thread_local std::string keyed_with;
  thread_local std::optional<crypto_auth_hmacsha256_state> keyed;
  if (!keyed || key != keyed_with) {
    need_sodium();
    keyed.emplace();
    crypto_auth_hmacsha256_init(&*keyed, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    keyed_with = key;
  }
  auto state = *keyed;
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

bool same_in_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace platform
