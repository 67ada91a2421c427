#pragma once
// The hashing and the randomness a service needs without TLS, kept off OpenSSL's providers.
//
// OpenSSL 3 serves every hash, MAC and random byte through a provider, and the first one a
// process asks for loads the default provider and its random generator: about 6 800
// allocations, and 2 MB of resident memory in each service (bench/README). A service needs
// OpenSSL for TLS only (platform::HttpClient to an https:// URL); its tokens' HMAC and its
// SHA-256 come from libsodium, and the random bytes libnats asks OpenSSL for when it
// connects, from the kernel.
#include <string>
#include <string_view>

namespace platform {

// From now on, this process's OpenSSL RAND_bytes and RAND_priv_bytes (libnats's ids, TLS)
// are getrandom(2): the kernel's generator, which OpenSSL's own generator is seeded from.
// Call it before the bus connects, as ServiceHost does; calling it again changes nothing.
void draw_openssl_randomness_from_kernel();

// SHA-256 of `text`, as 64 lowercase hexadecimal digits.
std::string sha256_hex(std::string_view text);

// HMAC-SHA256 of `data` under `key`, 32 bytes. Each thread keeps the last key's state, as a
// service verifies every request's token with the same secret.
std::string hmac_sha256(std::string_view key, std::string_view data);

// Whether `a` and `b` are the same bytes, in a time that does not tell where they differ.
bool same_in_constant_time(std::string_view a, std::string_view b);

}  // namespace platform
