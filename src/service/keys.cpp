// Service: web API keys (created from OpenSSL randomness, stored as SHA-256, revoked, checked) and the
// web sessions a key is exchanged for.
#include <algorithm>
#include <ctime>
#include <vector>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "jiebang/core/encoding.h"
#include "service_impl.h"

namespace jiebang {

namespace {

constexpr std::string_view kKeyPrefix = "jb_";
constexpr size_t kKeyRandomBytes = 32;

/// RFC 4648 §5 base64url without padding.
std::string base64url(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  for (size_t i = 0; i < size; i += 3) {
    uint32_t n = static_cast<uint32_t>(data[i]) << 16;
    if (i + 1 < size) n |= static_cast<uint32_t>(data[i + 1]) << 8;
    if (i + 2 < size) n |= data[i + 2];
    size_t chars = size - i >= 3 ? 4 : size - i + 1;
    for (size_t c = 0; c < chars; ++c) out += kAlphabet[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/// Lower-case hex SHA-256 (FIPS 180-4) of `text`; "" if OpenSSL fails.
std::string sha256_hex(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr) != 1) return {};
  std::string out;
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

Result<Service::ApiKey> key_from_row(const ApiKeyRow& row) {
  return Service::ApiKey{row.id, row.role, row.scope, row.created_at, row.revoked_at};
}

}  // namespace

Result<Service::NewApiKey> Service::create_key(Role role, const std::string& scope) {
  if (role == Role::kOperator && !scope.empty())
    return Status::invalid_field("scope", "an operator key has no scope");
  if (role != Role::kOperator && scope.empty())
    return role == Role::kPublisher ? Status::invalid_field("org", "a publisher key needs its organisation")
                                    : Status::invalid_field("enterprise", "an enterprise key needs the enterprise id");
  if (scope.size() > 200 || !is_valid_utf8(scope) ||
      std::any_of(scope.begin(), scope.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
    return Status::invalid_field("scope", "at most 200 bytes of UTF-8 text without control characters");
  unsigned char random[kKeyRandomBytes];
  if (RAND_bytes(random, sizeof random) != 1) return Status::unavailable("cannot get random bytes from OpenSSL");
  std::string secret = std::string(kKeyPrefix) + base64url(random, sizeof random);
  ApiKeyRow row;
  row.key_hash = sha256_hex(secret);
  if (row.key_hash.empty()) return Status::internal("OpenSSL could not compute SHA-256");
  row.role = role;
  row.scope = scope;
  row.created_at = impl_->lifecycle->now_iso();
  auto stored = impl_->store->insert_api_key(std::move(row));
  if (!stored) return stored.status();
  auto key = key_from_row(*stored);
  if (!key) return key.status();
  return NewApiKey{*key, std::move(secret)};
}

Result<Service::ApiKey> Service::revoke_key(int64_t id) {
  auto row = impl_->store->revoke_api_key(id, impl_->lifecycle->now_iso());
  if (!row) return row.status();
  return key_from_row(*row);
}

Result<std::vector<Service::ApiKey>> Service::list_keys() const {
  auto rows = impl_->store->list_api_keys();
  if (!rows) return rows.status();
  std::vector<ApiKey> out;
  for (const auto& row : *rows) {
    auto key = key_from_row(row);
    if (!key) return key.status();
    out.push_back(std::move(*key));
  }
  return out;
}

Result<Service::ApiKey> Service::authenticate(const std::string& secret) const {
  // A well-formed key is the prefix and 43 base64url characters; anything else is refused
  // before touching the store.
  bool well_formed = secret.size() == kKeyPrefix.size() + 43 && secret.starts_with(kKeyPrefix) &&
                     std::all_of(secret.begin() + kKeyPrefix.size(), secret.end(), [](char c) {
                       return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                              c == '_';
                     });
  if (!well_formed) return Status(ErrorCode::kUnauthenticated, "malformed API key");
  auto row = impl_->store->find_api_key(sha256_hex(secret));
  if (!row) {
    if (row.status().code() == ErrorCode::kNotFound) return Status(ErrorCode::kUnauthenticated, "unknown API key");
    return row.status();
  }
  if (!row->revoked_at.empty())
    return Status(ErrorCode::kUnauthenticated, fmt::format("API key {} was revoked at {}", row->id, row->revoked_at));
  return key_from_row(*row);
}

// ---- web sessions (a key exchanged for a server-side session) ----

namespace {
constexpr std::string_view kSessionPrefix = "js_";

/// "YYYY-MM-DDTHH:MM:SSZ" of a UTC time point.
std::string iso_utc(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// base64url of `n` random bytes from OpenSSL; "" when it has none.
std::string random_token(size_t n) {
  std::vector<unsigned char> random(n);
  if (RAND_bytes(random.data(), static_cast<int>(n)) != 1) return {};
  return base64url(random.data(), n);
}
}  // namespace

Result<Service::WebSession> Service::open_session(const std::string& secret, std::chrono::seconds ttl) {
  auto key = authenticate(secret);
  if (!key) return key.status();
  std::string token = random_token(32), csrf = random_token(32);
  if (token.empty() || csrf.empty()) return Status::unavailable("cannot get random bytes from OpenSSL");
  token = std::string(kSessionPrefix) + token;
  auto now = impl_->config.clock ? impl_->config.clock() : std::chrono::system_clock::now();
  WebSessionRow row;
  row.token_hash = sha256_hex(token);
  row.key_id = key->id;
  row.csrf = csrf;
  row.created_at = iso_utc(now);
  row.expires_at = iso_utc(now + ttl);
  if (Status st = impl_->store->insert_web_session(row); !st) return st;
  return WebSession{std::move(token), std::move(csrf), std::move(*key), row.expires_at};
}

Result<Service::WebSession> Service::session(const std::string& token) const {
  if (!token.starts_with(kSessionPrefix) || token.size() != kSessionPrefix.size() + 43)
    return Status(ErrorCode::kUnauthenticated, "malformed session");
  auto found = impl_->store->find_web_session(sha256_hex(token));
  if (!found) {
    if (found.status().code() == ErrorCode::kNotFound)
      return Status(ErrorCode::kUnauthenticated, "no such session (signed out, or never signed in)");
    return found.status();
  }
  auto& [row, key_row] = *found;
  if (!key_row.revoked_at.empty())
    return Status(ErrorCode::kUnauthenticated, fmt::format("the session's key was revoked at {}", key_row.revoked_at));
  auto now = impl_->config.clock ? impl_->config.clock() : std::chrono::system_clock::now();
  if (iso_utc(now) >= row.expires_at)
    return Status(ErrorCode::kUnauthenticated, fmt::format("the session expired at {}", row.expires_at));
  auto key = key_from_row(key_row);
  if (!key) return key.status();
  return WebSession{"", row.csrf, std::move(*key), row.expires_at};
}

Status Service::end_session(const std::string& token) {
  return impl_->store->delete_web_session(sha256_hex(token));
}

}  // namespace jiebang
