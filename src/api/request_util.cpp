// Request parsing for the handlers: JSON bodies (UTF-8, depth, type), query strings, exact money,
// search cursors, and the request context's accessors.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "context.h"
#include "jiebang/core/json_text.h"
#include "jiebang/core/limits.h"
#include "jiebang/core/log.h"
#include "jiebang/core/money.h"

namespace jiebang::api {
namespace {

constexpr int kMaxJsonDepth = static_cast<int>(kRecordLimits.json_depth);
constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  std::string out(t);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

namespace {

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    size_t chars = bytes.size() - i >= 3 ? 4 : bytes.size() - i + 1;
    for (size_t c = 0; c < chars; ++c) out += kBase64Url[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/// The bytes of canonical unpadded base64url: nullopt for a character outside the alphabet, a
/// length that no byte string encodes to (4k + 1), or a last character whose unused low bits are
/// not zero — so that each byte string has exactly one accepted spelling (RFC 4648 §3.5: a
/// decoder may reject non-zero pad bits; a signed cursor must not have several spellings).
std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const char* p = c ? std::strchr(kBase64Url, c) : nullptr;
    if (!p) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - kBase64Url);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

// ---- principal and context ----

Actor Principal::actor() const {
  if (role == Role::kOperator) return {role, fmt::format("key-{}", key_id)};
  return {role, scope};
}

const Principal& RequestContext::who() const {
  if (!principal) throw_problem(make_problem(401, "this route needs an API key"));
  return *principal;
}

void RequestContext::allow_query(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [name, value] : query) {
    bool known = false;
    for (auto a : allowed) known = known || a == name;
    if (!known) {
      std::string names;
      for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      throw_problem(make_problem(400,
                                 fmt::format("unknown query parameter \"{}\"; this route takes: {}", name,
                                             names.empty() ? "none" : names),
                                 name));
    }
  }
}

std::string RequestContext::query_value(std::string_view name, const std::string& fallback) const {
  auto it = query.find(std::string(name));
  return it == query.end() ? fallback : it->second;
}

size_t RequestContext::limit(size_t fallback) const {
  auto it = query.find("limit");
  if (it == query.end()) return fallback;
  const std::string& v = it->second;
  bool digits = !v.empty() && v.size() <= 9 && v.find_first_not_of("0123456789") == std::string::npos;
  size_t n = digits ? std::stoul(v) : 0;
  if (n < 1 || n > config.max_page_size)
    throw_problem(make_problem(
        400, fmt::format("limit: expected an integer from 1 to {}, got \"{}\"", config.max_page_size, v), "limit"));
  return n;
}

bool RequestContext::flag(std::string_view name) const {
  auto it = query.find(std::string(name));
  if (it == query.end()) return false;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  throw_problem(make_problem(400, fmt::format("{}: expected true or false, got \"{}\"", name, it->second),
                             std::string(name)));
}

// ---- problems ----

void throw_problem(Problem p) { throw ProblemException(std::move(p)); }

void throw_status(const Status& st) {
  if (st.code() == ErrorCode::kInternal || st.code() == ErrorCode::kUnavailable)
    log_event(st.code() == ErrorCode::kInternal ? LogLevel::kError : LogLevel::kWarn, "service_error", {{"error", st.to_string()}});
  throw ProblemException(problem_from_status(st));
}

void require(bool allowed, const std::string& detail, const std::string& field) {
  if (!allowed) throw_problem(make_problem(403, detail, field));
}

// ---- bodies ----

nlohmann::json json_object_body(const RequestContext& ctx) {
  const HttpRequest& req = ctx.request;
  if (auto ct = req.headers.get("Content-Type")) {
    std::string type = media_type(*ct);
    bool json = type == "application/json" || (type.size() > 5 && type.ends_with("+json"));
    if (!json)
      throw_problem(make_problem(415, fmt::format("Content-Type \"{}\" is not JSON; send application/json", type)));
  }
  if (req.body.empty()) throw_problem(make_problem(400, "the request body is empty; expected a JSON object"));
  if (size_t bad = invalid_utf8_offset(req.body); bad != std::string_view::npos)
    throw_problem(make_problem(400, fmt::format("the request body is not valid UTF-8 (byte offset {})", bad)));
  nlohmann::json j;
  try {
    j = parse_json_text(req.body, kMaxJsonDepth);
  } catch (const JsonTooDeep&) {
    throw_problem(make_problem(400, fmt::format("the JSON body is nested deeper than {} levels", kMaxJsonDepth)));
  } catch (const JsonDuplicateKey& e) {
    throw_problem(make_problem(400, fmt::format("the JSON body gives the key {} twice in one object; give each key once",
                                                e.key)));
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    if (size_t end = what.find("] "); what.starts_with("[json.exception") && end != std::string::npos)
      what = what.substr(end + 2);
    throw_problem(make_problem(400, "malformed JSON: " + what));
  } catch (const nlohmann::json::out_of_range&) {
    // "[json.exception.out_of_range.406] number overflow parsing '1e999'": the library's words.
    throw_problem(make_problem(400, "a number in the JSON body is too large to represent (over about 1.8e308)"));
  } catch (const nlohmann::json::exception&) {
    throw_problem(make_problem(400, "malformed JSON"));
  }
  if (!j.is_object())
    throw_problem(make_problem(400, fmt::format("the body must be a JSON object, not {}", j.type_name())));
  return j;
}

// ---- query strings ----

std::optional<std::string> percent_decode_utf8(std::string_view text, bool plus_is_space) {
  auto out = percent_decode(text, plus_is_space, BadEscape::kRefuse);
  if (!out || out->find('\0') != std::string::npos || invalid_utf8_offset(*out) != std::string_view::npos)
    return std::nullopt;
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      auto name = percent_decode_utf8(pair.substr(0, eq), true);
      auto value = percent_decode_utf8(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!name || !value)
        throw_problem(make_problem(400,
                                   fmt::format("query parameter \"{}\" is not percent-encoded UTF-8",
                                               std::string(pair.substr(0, std::min<size_t>(eq, 64)))),
                                   name ? *name : ""));
      out[*name] = *value;
    }
    start = end + 1;
  }
  return out;
}

// ---- money ----

std::optional<int64_t> amount_to_minor(const nlohmann::json& v) {
  std::string text;
  if (v.is_string()) {
    text = v.get<std::string>();
  } else if (v.is_number_unsigned() || v.is_number_integer()) {
    if (v.is_number_integer() && v.get<int64_t>() < 0) return std::nullopt;
    text = v.dump();
  } else if (v.is_number_float()) {
    double d = v.get<double>();
    if (!std::isfinite(d) || d < 0) return std::nullopt;
    text = v.dump();  // the shortest decimal that reads back as the same double
  } else {
    return std::nullopt;
  }
  return parse_major_units(text);
}

// ---- cursors ----

std::string search_fingerprint(const std::string& q, const std::string& region, const std::string& industry,
                               const std::string& status) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (const std::string* part : {&q, &region, &industry, &status}) {
    for (unsigned char c : *part) {
      h ^= c;
      h *= 0x100000001b3ULL;  // FNV 64 prime
    }
    h ^= 0x1f;  // separator, so ("ab","") and ("a","b") differ
    h *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", h);
}

namespace {

/// HMAC-SHA256 (RFC 2104) of `data` under `key`: 32 bytes; "" when OpenSSL fails.
std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
            data.size(), md, &len))
    return {};
  return std::string(reinterpret_cast<const char*>(md), len);
}

}  // namespace

std::string encode_cursor(uint64_t offset, const std::string& fingerprint, std::string_view key) {
  std::string payload = base64url_encode(nlohmann::json{{"o", std::min(offset, kMaxCursorOffset)}, {"q", fingerprint}}.dump());
  return payload + "." + base64url_encode(hmac_sha256(key, payload));
}

std::optional<std::pair<uint64_t, std::string>> decode_cursor(std::string_view cursor, std::string_view key) {
  if (cursor.empty() || cursor.size() > 300 || key.empty()) return std::nullopt;
  size_t dot = cursor.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view payload = cursor.substr(0, dot);
  auto signature = base64url_decode(cursor.substr(dot + 1));
  std::string expected = hmac_sha256(key, payload);
  if (!signature || expected.empty() || signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  auto text = base64url_decode(payload);
  if (!text) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("o") || !j["o"].is_number_unsigned() || !j.contains("q") || !j["q"].is_string())
    return std::nullopt;
  uint64_t offset = j["o"].get<uint64_t>();
  if (offset > kMaxCursorOffset) return std::nullopt;
  return std::make_pair(offset, j["q"].get<std::string>());
}

Result<std::string> load_or_create_secret(const std::string& path) {
  constexpr size_t kBytes = 32;
  auto read_existing = [&]() -> Result<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::unavailable(fmt::format("cannot read {}", path));
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() != kBytes)
      return Status::invalid_argument(fmt::format("{}: expected {} bytes, found {}", path, kBytes, bytes.size()));
    return bytes;
  };
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return read_existing();
  unsigned char random[kBytes];
  if (RAND_bytes(random, static_cast<int>(kBytes)) != 1) return Status::unavailable("no randomness for the cursor key");
  // Written whole to a file of our own, then linked into place: link() fails when another process
  // was first, and then its key is the one.
  std::string temp = fmt::format("{}.{}.tmp", path, ::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status::unavailable(fmt::format("cannot create {}: {}", temp, std::strerror(errno)));
  bool written = ::write(fd, random, kBytes) == static_cast<ssize_t>(kBytes) && ::fsync(fd) == 0;
  ::close(fd);
  int linked = written ? ::link(temp.c_str(), path.c_str()) : -1;
  int link_errno = errno;
  ::unlink(temp.c_str());
  if (!written) return Status::unavailable(fmt::format("cannot write {}", temp));
  if (linked != 0 && link_errno != EEXIST)
    return Status::unavailable(fmt::format("cannot create {}: {}", path, std::strerror(link_errno)));
  return read_existing();
}

}  // namespace jiebang::api
