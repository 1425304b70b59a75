// A hand-made zip package (stored members) for tests and fuzz targets that need any bytes in any part.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace jiebang::testing {

/// A zip package with stored (uncompressed) members, written by hand (PKWARE APPNOTE 6.3: local
/// headers, central directory, end record), so tests can put any bytes in any part.
inline std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& members) {
  static const std::array<uint32_t, 256> kCrcTable = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  auto crc32 = [](const std::string& data) {
    uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : data) c = kCrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
  };
  auto u16 = [](std::string& out, uint32_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
  };
  auto u32 = [&u16](std::string& out, uint32_t v) {
    u16(out, v & 0xFFFF);
    u16(out, v >> 16);
  };
  std::string out, central;
  for (const auto& [name, data] : members) {
    uint32_t offset = static_cast<uint32_t>(out.size());
    uint32_t crc = crc32(data);
    auto size = static_cast<uint32_t>(data.size());
    auto name_len = static_cast<uint32_t>(name.size());
    u32(out, 0x04034b50);
    u16(out, 20), u16(out, 0), u16(out, 0), u16(out, 0), u16(out, 0x21);
    u32(out, crc), u32(out, size), u32(out, size);
    u16(out, name_len), u16(out, 0);
    out += name;
    out += data;
    u32(central, 0x02014b50);
    u16(central, 20), u16(central, 20), u16(central, 0), u16(central, 0), u16(central, 0), u16(central, 0x21);
    u32(central, crc), u32(central, size), u32(central, size);
    u16(central, name_len), u16(central, 0), u16(central, 0), u16(central, 0), u16(central, 0);
    u32(central, 0), u32(central, offset);
    central += name;
  }
  uint32_t central_offset = static_cast<uint32_t>(out.size());
  out += central;
  u32(out, 0x06054b50);
  u16(out, 0), u16(out, 0);
  u16(out, static_cast<uint32_t>(members.size())), u16(out, static_cast<uint32_t>(members.size()));
  u32(out, static_cast<uint32_t>(central.size())), u32(out, central_offset);
  u16(out, 0);
  return out;
}

}  // namespace jiebang::testing
