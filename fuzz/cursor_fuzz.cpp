// libFuzzer target: the signed search cursor (decode_cursor, encode_cursor). Three ways in, by the
// first byte: (0) the bytes as a cursor, as a client may send anything; (1) the bytes as a payload
// signed with the server's key, so the JSON behind a valid signature is reached (huge, negative,
// fractional offsets; other types; invalid UTF-8); (2) a real cursor (offset and fingerprint from
// the bytes) altered at a place and by a value the bytes choose, which must never verify as a
// different cursor.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../src/api/context.h"

namespace {

using jiebang::api::decode_cursor;
using jiebang::api::encode_cursor;
using jiebang::api::kMaxCursorOffset;

const std::string kKey(32, '\x5a');

[[noreturn]] void fail(const char* what, const std::string& cursor) {
  std::fprintf(stderr, "cursor: %s: %s\n", what, cursor.c_str());
  std::abort();
}

/// base64url without padding (RFC 4648 §5), as the API writes it.
std::string b64url(std::string_view bytes) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += k[(n >> s) & 63];
  }
  if (size_t rest = bytes.size() - i; rest > 0) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (rest == 2) n |= uint8_t(bytes[i + 1]) << 8;
    for (size_t c = 0; c <= rest; ++c) out += k[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

std::string sign(const std::string& payload_b64) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kKey.data(), static_cast<int>(kKey.size()), reinterpret_cast<const unsigned char*>(payload_b64.data()),
       payload_b64.size(), md, &len);
  return payload_b64 + "." + b64url(std::string_view(reinterpret_cast<const char*>(md), len));
}

void check_decoded(const std::optional<std::pair<uint64_t, std::string>>& d, const std::string& cursor) {
  if (d && d->first > kMaxCursorOffset) fail("an offset over the limit was accepted", cursor);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      check_decoded(decode_cursor(rest, kKey), rest);
      check_decoded(decode_cursor(rest, ""), rest);
      break;
    }
    case 1: {
      std::string cursor = sign(b64url(rest));
      auto d = decode_cursor(cursor, kKey);
      check_decoded(d, cursor);
      // The same payload under another key never verifies.
      if (decode_cursor(cursor, std::string(32, '\x5b'))) fail("a cursor verified under another key", cursor);
      break;
    }
    default: {
      if (rest.size() < 12) return 0;
      uint64_t offset = 0;
      std::memcpy(&offset, rest.data(), 8);
      uint16_t where = 0;
      std::memcpy(&where, rest.data() + 8, 2);
      char value = rest[10];
      // As the search handler makes it: a hash of the query and filters.
      std::string fingerprint = jiebang::api::search_fingerprint(rest.substr(11), "", "", "open");
      std::string cursor = encode_cursor(offset, fingerprint, kKey);
      auto d = decode_cursor(cursor, kKey);
      uint64_t expected = std::min(offset, kMaxCursorOffset);
      if (!d || d->first != expected || d->second != fingerprint)
        fail("a cursor did not round-trip", cursor);
      std::string altered = cursor;
      altered[where % altered.size()] = value;
      if (altered == cursor) return 0;
      auto a = decode_cursor(altered, kKey);
      check_decoded(a, altered);
      if (a) fail("an altered cursor verified", altered);
      break;
    }
  }
  return 0;
}
