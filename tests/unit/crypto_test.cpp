// platform/crypto.hpp: SHA-256, HMAC-SHA256 and the comparison of secrets, on libsodium.
#include <gtest/gtest.h>

#include <string>

#include "platform/crypto.hpp"

namespace {

// FIPS 180-2's examples.
TEST(Crypto, Sha256HexIsTheStandardsDigestInLowercaseHex) {
  EXPECT_EQ(platform::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(platform::sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// RFC 4231's test case 6: a key longer than SHA-256's block is hashed first.
TEST(Crypto, HmacSha256OfAKeyLongerThanABlockIsRfc4231s) {
  auto mac = platform::hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First");
  std::string hex;
  for (unsigned char c : mac) hex += "0123456789abcdef"[c >> 4], hex += "0123456789abcdef"[c & 15];
  EXPECT_EQ(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(Crypto, SecretsAreTheSameOnlyWhenEveryByteAndTheLengthAre) {
  EXPECT_TRUE(platform::same_in_constant_time("secret", "secret"));
  EXPECT_TRUE(platform::same_in_constant_time("", ""));
  EXPECT_FALSE(platform::same_in_constant_time("secret", "secreT"));
  EXPECT_FALSE(platform::same_in_constant_time("secret", "secret!"));
  EXPECT_FALSE(platform::same_in_constant_time(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
