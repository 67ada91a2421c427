#include "platform/jwt.hpp"

#include <array>
#include <boost/json.hpp>
#include <stdexcept>

#include "platform/crypto.hpp"
#include "platform/json_text.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace platform {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Each character's 6 bits, or -1 for a character outside the alphabet: one look per character
// of a token checked at every request.
constexpr std::array<std::int8_t, 256> kDecode = [] {
  std::array<std::int8_t, 256> table{};
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return table;
}();

std::string unbase64url(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = kDecode[static_cast<unsigned char>(c)];
    if (value < 0) throw unauthorized("token is not base64url");
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  // One spelling per token: no character left over with less than a byte in it (a length of
  // 4n+1), and the unused low bits of the last character zero. Otherwise "...Q" and "...R"
  // would carry the same signature, and a token could be altered and still verify.
  if (bits >= 6 || (buffer & ((1u << bits) - 1)) != 0) throw unauthorized("token is not canonical base64url");
  return out;
}

boost::json::object parse_part(std::string_view encoded, const char* what) {
  std::string why_not;
  auto value = parse_json(unbase64url(encoded), why_not);
  if (!why_not.empty()) throw unauthorized(std::string("token ") + what + " " + why_not);
  if (!value.is_object()) throw unauthorized(std::string("token ") + what + " is not a JSON object");
  return std::move(value.as_object());
}

// Whether `later` is more than `limit` seconds after `earlier`, for any two int64 (a forged
// exp of 2^62 must not overflow into the past).
bool more_than_after(std::int64_t later, std::int64_t earlier, std::int64_t limit) {
  if (later <= earlier) return false;
  return static_cast<std::uint64_t>(later) - static_cast<std::uint64_t>(earlier) > static_cast<std::uint64_t>(limit);
}

}  // namespace

std::string base64url(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : data) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::string hs256_signature(std::string_view signing_input, std::string_view secret) {
  return base64url(hmac_sha256(secret, signing_input));
}

std::string sign_jwt(const Claims& claims, const std::string& secret) {
  boost::json::object payload{{"sub", claims.subject}, {"role", claims.role}, {"iat", claims.issued_at},
                              {"exp", claims.expires_at}};
  if (!claims.store_id.empty()) payload["storeId"] = claims.store_id;
  if (!claims.token_id.empty()) payload["jti"] = claims.token_id;
  if (!claims.session_id.empty()) payload["sid"] = claims.session_id;
  auto signing_input = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(boost::json::serialize(payload));
  return signing_input + "." + hs256_signature(signing_input, secret);
}

Claims verify_jwt(const std::string& token, const std::string& secret, std::int64_t now_seconds,
                  std::int64_t access_lifetime_seconds) {
  auto first = token.find('.');
  auto second = first == std::string::npos ? first : token.find('.', first + 1);
  if (second == std::string::npos || token.find('.', second + 1) != std::string::npos)
    throw unauthorized("token is not a JWT (header.payload.signature)");
  auto header = parse_part(std::string_view(token).substr(0, first), "header");
  auto* alg = header.if_contains("alg");
  if (!alg || !alg->is_string() || alg->get_string() != "HS256")
    throw unauthorized("token algorithm must be HS256");
  auto expected = hmac_sha256(secret, std::string_view(token).substr(0, second));
  auto given = unbase64url(std::string_view(token).substr(second + 1));
  if (!same_in_constant_time(given, expected))
    throw unauthorized("token signature is invalid");
  auto payload = parse_part(std::string_view(token).substr(first + 1, second - first - 1), "payload");
  Claims claims;
  auto text = [&](const char* key) -> std::string {
    auto* v = payload.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  auto number = [&](const char* key) -> std::optional<std::int64_t> {
    auto* v = payload.if_contains(key);
    if (!v) return std::nullopt;
    if (!v->is_int64()) throw unauthorized(std::string("token ") + key + " must be an integer number of seconds");
    return v->get_int64();
  };
  claims.subject = text("sub");
  claims.role = text("role");
  claims.store_id = text("storeId");
  claims.token_id = text("jti");
  claims.session_id = text("sid");
  auto issued_at = number("iat");
  auto expires_at = number("exp");
  if (claims.subject.empty() || claims.role.empty()) throw unauthorized("token lacks sub or role");
  // A token without an id could not be revoked, and one without exp would never end.
  if (claims.token_id.empty()) throw unauthorized("token lacks jti");
  if (!expires_at) throw unauthorized("token lacks exp");
  claims.expires_at = *expires_at;
  claims.issued_at = issued_at.value_or(0);
  if (claims.expires_at <= now_seconds) throw unauthorized("token has expired; log in again");
  auto lifetime = (claims.role == "service" ? kServiceTokenSeconds : access_lifetime_seconds) + kClockLeewaySeconds;
  if (more_than_after(claims.expires_at, now_seconds, lifetime))
    throw unauthorized("token expires later than a token issued here can; log in again");
  if (issued_at && (more_than_after(*issued_at, now_seconds, kClockLeewaySeconds) || *issued_at > claims.expires_at ||
                    more_than_after(claims.expires_at, *issued_at, lifetime)))
    throw unauthorized("token iat is not a time it can have been issued at");
  if (!claims.store_id.empty() && !fields::positive_id(claims.store_id))
    throw unauthorized("token storeId is not a store id");
  return claims;
}

}  // namespace platform
