// A service that speaks no TLS never loads OpenSSL's providers (platform/crypto.hpp).
//
// Its own executable, because it counts what OpenSSL allocates from the process's start:
// OpenSSL takes an allocator only before its first allocation, which any other test run in
// the same process before this one could have made.
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "platform/crypto.hpp"
#include "platform/jwt.hpp"

namespace {

std::atomic<int> allocations{0};

void* counted_malloc(std::size_t size, const char*, int) {
  ++allocations;
  return std::malloc(size);
}
void* counted_realloc(void* at, std::size_t size, const char*, int) {
  ++allocations;
  return std::realloc(at, size);
}
void counted_free(void* at, const char*, int) { std::free(at); }

// Loading the default provider and its random generator takes about 6 800 allocations.
constexpr int kWithoutProviders = 50;

TEST(OpenSslProviders, AreNotLoadedByAServicesRandomBytesTokensAndHashes) {
  ASSERT_EQ(CRYPTO_set_mem_functions(counted_malloc, counted_realloc, counted_free), 1)
      << "OpenSSL allocated before the test began";
  platform::draw_openssl_randomness_from_kernel();  // as ServiceHost does

  // libnats draws its ids' prefix when it connects; TLS would draw private bytes.
  unsigned char first[16] = {}, second[16] = {}, zero[16] = {};
  ASSERT_EQ(RAND_bytes(first, sizeof first), 1);
  ASSERT_EQ(RAND_priv_bytes(second, sizeof second), 1);
  EXPECT_NE(std::memcmp(first, second, sizeof first), 0);
  EXPECT_NE(std::memcmp(first, zero, sizeof first), 0);
  EXPECT_EQ(RAND_status(), 1);

  auto token = platform::sign_jwt({"customer1", "customer", "", 100, 200, "t1"}, "secret");
  EXPECT_EQ(platform::verify_jwt(token, "secret", 150, 900).subject, "customer1");
  EXPECT_EQ(platform::sha256_hex("abc").size(), 64u);

  EXPECT_LT(allocations.load(), kWithoutProviders);
}

}  // namespace
