// .xlsx worksheet reader: libzip opens the package, pugixml parses the workbook, shared strings and sheet.
#include "jiebang/core/xlsx_reader.h"

#include <zip.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "jiebang/core/calendar.h"
#include "jiebang/core/limits.h"

namespace jiebang {
namespace {

// Bounds that keep one workbook's memory under ~200 MiB whatever its shape (issue 16's bombs: a
// 2 KB file with cells in column XFD, rows without r= past Excel's last row, a zip bomb).
constexpr uint64_t kMaxPartBytes = uint64_t{48} << 20;  // unit: bytes uncompressed per part (zip bombs)
constexpr size_t kMaxColumns = 16384;                   // XFD, Excel's last column
constexpr size_t kMaxRows = 1048576;                    // Excel's last row
/// XML markup items ('<' and '=') per part, counted before the DOM is built: pugixml takes
/// ~64 bytes per element and ~40 per attribute, so this bounds a part's DOM at ~100 MiB.
constexpr size_t kMaxXmlItems = 1500000;
/// Cell slots kept for the whole sheet (a row keeps slots up to its last valued column); unit:
/// cells. ~48 bytes each plus the text. A published list of 20,000 rows × 30 columns uses 600,000.
constexpr size_t kMaxCellSlots = 1000000;
/// Text held by the whole sheet's cells, counted before each is copied; unit: bytes. A shared
/// string is stored once but copied into every cell that refers to it, so a 41 KB file with one
/// 40 MB string referred to by 120 cells held 4.8 GB (breaking pass, session 14). Each row also
/// holds at most kRecordLimits.record_bytes (one record), as a CSV line does.
constexpr size_t kMaxSheetTextBytes = size_t{64} << 20;

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

/// An opened package: parts are read on demand.
class Package {
 public:
  static Result<Package> open(std::string_view bytes) {
    // libzip takes zero bytes for an empty archive; as a workbook it is nothing.
    if (bytes.empty()) return Status::invalid_argument("not a readable .xlsx workbook: the file is empty");
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &err);
    if (!src) {
      std::string why = zip_error_strerror(&err);
      zip_error_fini(&err);
      return Status::internal(fmt::format("cannot read the workbook: {}", why));
    }
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    if (!z) {
      std::string why = zip_error_strerror(&err);
      zip_error_fini(&err);
      zip_source_free(src);
      return Status::invalid_argument(
          fmt::format("not a readable .xlsx workbook (an .xlsx file is a zip package): {}", why));
    }
    zip_error_fini(&err);
    Package p;
    p.zip_.reset(z);
    return p;
  }

  bool has(const std::string& name) const { return zip_name_locate(zip_.get(), name.c_str(), ZIP_FL_NOCASE) >= 0; }

  /// The bytes of part `name` (OPC part names are case-insensitive). kInvalidArgument if missing
  /// or unreadable (CRC error of a damaged file).
  Result<std::string> read(const std::string& name) const {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(zip_.get(), name.c_str(), ZIP_FL_NOCASE, &st) != 0)
      return Status::invalid_argument(fmt::format("{}: the part is missing from the workbook", name));
    if ((st.valid & ZIP_STAT_SIZE) && st.size > kMaxPartBytes)
      return Status::invalid_argument(
          fmt::format("{}: the part is {} bytes uncompressed, more than the {} MiB allowed", name, st.size,
                      kMaxPartBytes >> 20));
    std::unique_ptr<zip_file_t, ZipFileCloser> f(zip_fopen(zip_.get(), name.c_str(), ZIP_FL_NOCASE));
    if (!f)
      return Status::invalid_argument(
          fmt::format("{}: cannot be opened: {}", name, zip_strerror(zip_.get())));
    std::string out;
    char buf[64 * 1024];
    while (true) {
      zip_int64_t n = zip_fread(f.get(), buf, sizeof buf);
      if (n < 0)
        return Status::invalid_argument(
            fmt::format("{}: cannot be read (damaged or truncated file): {}", name, zip_file_strerror(f.get())));
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
      if (out.size() > kMaxPartBytes)
        return Status::invalid_argument(
            fmt::format("{}: the part is more than the {} MiB allowed", name, kMaxPartBytes >> 20));
    }
    return out;
  }

 private:
  std::unique_ptr<zip_t, ZipCloser> zip_;
};

/// The local part of a possibly prefixed XML name ("x:sheet" → "sheet").
std::string_view local_name(const char* name) {
  std::string_view n(name);
  size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node c : node.children())
    if (c.type() == pugi::node_element && local_name(c.name()) == local) return c;
  return {};
}

/// The attribute with local name `local`, prefixed or not ("r:id" for "id").
pugi::xml_attribute attribute(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_attribute a : node.attributes())
    if (local_name(a.name()) == local) return a;
  return {};
}

struct Xml {
  std::string bytes;  // pugixml parses in place: the document points into this buffer
  pugi::xml_document doc;
};

Result<std::unique_ptr<Xml>> parse_part(const Package& pkg, const std::string& name) {
  auto bytes = pkg.read(name);
  if (!bytes) return bytes.status();
  size_t items = 0;
  for (char ch : *bytes) items += ch == '<' || ch == '=';
  if (items > kMaxXmlItems)
    return Status::invalid_argument(fmt::format(
        "{}: the part has {} XML tags and attributes, more than the {} a workbook part may have", name, items,
        kMaxXmlItems));
  auto xml = std::make_unique<Xml>();
  xml->bytes = std::move(*bytes);
  pugi::xml_parse_result r = xml->doc.load_buffer_inplace(xml->bytes.data(), xml->bytes.size(),
                                                          pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (!r)
    return Status::invalid_argument(
        fmt::format("{}: malformed XML at byte {}: {}", name, r.offset, r.description()));
  return xml;
}

/// The folder of a part name, with a trailing '/' ("xl/workbook.xml" → "xl/").
std::string folder_of(const std::string& part) {
  size_t slash = part.rfind('/');
  return slash == std::string::npos ? "" : part.substr(0, slash + 1);
}

/// Resolves a relationship target against the folder of its source part (OPC: absolute targets
/// start with '/'; "../" steps up).
std::string resolve_target(const std::string& source_folder, std::string_view target) {
  std::string path = target.starts_with('/') ? std::string(target.substr(1)) : source_folder + std::string(target);
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

struct Relationship {
  std::string type;    // the Type URI's last segment: "worksheet", "sharedStrings", "officeDocument", …
  std::string target;  // resolved part name
};

/// Reads the relationships part of `source_part` ("xl/workbook.xml" → "xl/_rels/workbook.xml.rels"),
/// keyed by Id. A missing rels part is an error only when `required`.
Result<std::map<std::string, Relationship>> read_relationships(const Package& pkg, const std::string& source_part,
                                                               bool required) {
  std::string folder = folder_of(source_part);
  std::string rels_name = folder + "_rels/" + source_part.substr(folder.size()) + ".rels";
  std::map<std::string, Relationship> rels;
  if (!required && !pkg.has(rels_name)) return rels;
  auto xml = parse_part(pkg, rels_name);
  if (!xml) return xml.status();
  pugi::xml_node root = child((*xml)->doc, "Relationships");
  if (!root) return Status::invalid_argument(fmt::format("{}: no <Relationships> element", rels_name));
  for (pugi::xml_node r : root.children()) {
    if (r.type() != pugi::node_element || local_name(r.name()) != "Relationship") continue;
    if (std::string_view(r.attribute("TargetMode").value()) == "External") continue;
    std::string_view type = r.attribute("Type").value();
    size_t slash = type.rfind('/');
    Relationship rel;
    rel.type = std::string(slash == std::string_view::npos ? type : type.substr(slash + 1));
    rel.target = resolve_target(folder, r.attribute("Target").value());
    rels[r.attribute("Id").value()] = std::move(rel);
  }
  return rels;
}

/// Decodes the _xHHHH_ escapes of OOXML strings (ECMA-376 Part 1 §22.9.2.19: "_x000D_" is a
/// carriage return, "_x005F_" a literal underscore).
std::string decode_escapes(std::string_view s) {
  if (s.find("_x") == std::string_view::npos) return std::string(s);
  auto hex4 = [&](size_t at) -> int {
    if (at + 7 > s.size() || s[at] != '_' || s[at + 1] != 'x' || s[at + 6] != '_') return -1;
    int v = 0;
    for (size_t i = at + 2; i < at + 6; ++i) {
      char c = s[i];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  };
  auto append_utf8 = [](std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  };
  std::string out;
  for (size_t i = 0; i < s.size();) {
    int unit = hex4(i);
    if (unit < 0) {
      out += s[i++];
      continue;
    }
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      int low = hex4(i + 7);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(out, 0x10000 + ((static_cast<uint32_t>(unit) - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00));
        i += 14;
        continue;
      }
    }
    if (unit >= 0xD800 && unit <= 0xDFFF) {  // a lone surrogate: keep the escape as written
      out += s[i++];
      continue;
    }
    append_utf8(out, static_cast<uint32_t>(unit));
    i += 7;
  }
  return out;
}

/// The text of a string item (<si> or <is>): plain <t>, or the <t> of each rich-text run <r>;
/// phonetic runs (<rPh>, furigana) are not part of the text.
std::string string_item_text(pugi::xml_node item) {
  std::string text;
  for (pugi::xml_node c : item.children()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = local_name(c.name());
    if (name == "t") {
      text += c.child_value();
    } else if (name == "r") {
      for (pugi::xml_node t : c.children())
        if (t.type() == pugi::node_element && local_name(t.name()) == "t") text += t.child_value();
    }
  }
  return decode_escapes(text);
}

Result<std::vector<std::string>> read_shared_strings(const Package& pkg, const std::string& part) {
  std::vector<std::string> strings;
  auto xml = parse_part(pkg, part);
  if (!xml) return xml.status();
  pugi::xml_node sst = child((*xml)->doc, "sst");
  if (!sst) return Status::invalid_argument(fmt::format("{}: no <sst> element", part));
  for (pugi::xml_node si : sst.children())
    if (si.type() == pugi::node_element && local_name(si.name()) == "si") strings.push_back(string_item_text(si));
  return strings;
}

/// "AB12" → column 27 (0-based). nullopt when the reference has no column letters, or is past XFD.
std::optional<size_t> column_of(std::string_view ref) {
  size_t col = 0, i = 0;
  for (; i < ref.size(); ++i) {
    char c = ref[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + static_cast<size_t>(c - 'A' + 1);
    if (col > kMaxColumns) return std::nullopt;
  }
  if (i == 0) return std::nullopt;
  for (size_t j = i; j < ref.size(); ++j)
    if (ref[j] < '0' || ref[j] > '9') return std::nullopt;
  return col - 1;
}

std::string column_name(size_t col) {
  std::string name;
  for (size_t n = col + 1; n > 0; n = (n - 1) / 26) name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  return name;
}

std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

Status read_sheet_data(const Package& pkg, const std::string& part, const std::vector<std::string>& shared,
                       bool have_shared, XlsxSheet& sheet) {
  auto xml = parse_part(pkg, part);
  if (!xml) return xml.status();
  pugi::xml_node ws = child((*xml)->doc, "worksheet");
  if (!ws) return Status::invalid_argument(fmt::format("{}: no <worksheet> element", part));
  pugi::xml_node data = child(ws, "sheetData");
  if (!data) return Status::ok();  // an empty sheet
  size_t row_no = 0;
  size_t slots = 0;       // cell slots kept so far (kMaxCellSlots)
  size_t sheet_text = 0;  // bytes of cell text kept so far (kMaxSheetTextBytes)
  for (pugi::xml_node row : data.children()) {
    if (row.type() != pugi::node_element || local_name(row.name()) != "row") continue;
    if (pugi::xml_attribute r = row.attribute("r")) {
      unsigned long long n = 0;
      std::string_view v = r.value();
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n < 1 || n > kMaxRows)
        return Status::invalid_argument(fmt::format("{}: bad row number \"{}\" after row {}", part, v, row_no));
      row_no = static_cast<size_t>(n);
    } else {
      ++row_no;
      if (row_no > kMaxRows)
        return Status::invalid_argument(
            fmt::format("{}: more than {} rows (Excel's last row), counting rows without a number", part, kMaxRows));
    }
    XlsxRow out;
    out.number = row_no;
    size_t next_col = 0;
    size_t row_text = 0;  // bytes of this row's cell text (kRecordLimits.record_bytes)
    // Counts `bytes` more of text before they are copied into a cell.
    auto take_text = [&](size_t bytes, const std::string& cell_name) -> Status {
      row_text += bytes;
      sheet_text += bytes;
      if (row_text > kRecordLimits.record_bytes)
        return Status::invalid_argument(
            fmt::format("{}: row {}: its cells hold more than the {} bytes of text a record may take (at cell {})",
                        part, row_no, kRecordLimits.record_bytes, cell_name));
      if (sheet_text > kMaxSheetTextBytes)
        return Status::invalid_argument(fmt::format("{}: row {}: the sheet's cells hold more than {} MiB of text",
                                                    part, row_no, kMaxSheetTextBytes >> 20));
      return Status::ok();
    };
    for (pugi::xml_node c : row.children()) {
      if (c.type() != pugi::node_element || local_name(c.name()) != "c") continue;
      size_t col = next_col;
      std::string_view ref = c.attribute("r").value();
      if (!ref.empty()) {
        auto parsed = column_of(ref);
        if (!parsed)
          return Status::invalid_argument(fmt::format("{}: row {}: bad cell reference \"{}\"", part, row_no, ref));
        col = *parsed;
      }
      if (col >= kMaxColumns)
        return Status::invalid_argument(fmt::format("{}: row {}: more than {} columns", part, row_no, kMaxColumns));
      next_col = col + 1;
      std::string cell_name = ref.empty() ? fmt::format("{}{}", column_name(col), row_no) : std::string(ref);
      std::string_view type = c.attribute("t").value();
      pugi::xml_node v = child(c, "v");
      std::string_view value = v ? v.child_value() : "";
      XlsxCell cell;
      if (type == "s") {
        if (!v) continue;
        size_t index = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), index);
        if (ec != std::errc() || end != value.data() + value.size() || !have_shared || index >= shared.size())
          return Status::invalid_argument(fmt::format(
              "{}: cell {} refers to shared string \"{}\", but the workbook has {} shared strings", part,
              cell_name, value, shared.size()));
        if (Status st = take_text(shared[index].size(), cell_name); !st) return st;
        cell.type = XlsxCell::Type::kText;
        cell.text = shared[index];
      } else if (type == "inlineStr") {
        pugi::xml_node is = child(c, "is");
        if (!is) continue;
        cell.type = XlsxCell::Type::kText;
        cell.text = string_item_text(is);
      } else if (type == "str") {
        if (!v) continue;
        cell.type = XlsxCell::Type::kText;
        cell.text = decode_escapes(value);
      } else if (type == "b") {
        if (!v) continue;
        cell.type = XlsxCell::Type::kBoolean;
        cell.number = value == "1" || value == "true" ? 1 : 0;
        cell.text = cell.number != 0 ? "TRUE" : "FALSE";
      } else if (type == "e") {
        if (!v) continue;
        cell.type = XlsxCell::Type::kError;
        cell.text = std::string(value);
      } else if (type == "d") {
        if (!v) continue;
        cell.type = XlsxCell::Type::kDate;
        cell.text = std::string(value);
      } else if (type.empty() || type == "n") {
        if (!v || value.empty()) continue;
        auto number = parse_number(value);
        if (!number)
          return Status::invalid_argument(
              fmt::format("{}: cell {} is a number cell holding \"{}\", which is not a number", part, cell_name, value));
        cell.type = XlsxCell::Type::kNumber;
        cell.number = *number;
        cell.text = excel_number_text(*number);
      } else {
        return Status::invalid_argument(fmt::format("{}: cell {} has unknown type t=\"{}\"", part, cell_name, type));
      }
      if (type != "s")  // a shared string was counted before its copy
        if (Status st = take_text(cell.text.size(), cell_name); !st) return st;
      if (col >= kRecordLimits.columns)
        return Status::invalid_argument(fmt::format("{}: cell {} holds a value past column {}: a record has at most {} columns",
                                                    part, cell_name, column_name(kRecordLimits.columns - 1),
                                                    kRecordLimits.columns));
      if (out.cells.size() <= col) {
        slots += col + 1 - out.cells.size();
        if (slots > kMaxCellSlots)
          return Status::invalid_argument(
              fmt::format("{}: row {}: the sheet has more than {} cells", part, row_no, kMaxCellSlots));
        out.cells.resize(col + 1);
      }
      out.cells[col] = std::move(cell);
    }
    if (!out.cells.empty()) sheet.rows.push_back(std::move(out));
  }
  return Status::ok();
}

bool equal_ignoring_ascii_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

std::string excel_number_text(double value) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (std::nearbyint(value) == value && std::fabs(value) < 1e15)
    return fmt::format("{}", static_cast<long long>(value));
  std::string s = fmt::format("{:.15g}", value);
  return s;
}

std::optional<std::string> excel_serial_date(double serial, bool date1904) {
  using namespace std::chrono;
  if (!std::isfinite(serial)) return std::nullopt;
  double day = std::floor(serial);
  constexpr double kLastSerial = 2958465;  // 9999-12-31 in the 1900 system
  sys_days date;
  if (date1904) {
    if (day < 0 || day > kLastSerial - 1462) return std::nullopt;
    date = sys_days{year{1904} / January / 1} + days{static_cast<long>(day)};
  } else {
    if (day < 1 || day == 60 || day > kLastSerial) return std::nullopt;
    // Up to serial 59 day 0 is 1899-12-31; from 61 on, the phantom 1900-02-29 shifts it a day back.
    date = (day < 60 ? sys_days{year{1899} / December / 31} : sys_days{year{1899} / December / 30}) +
           days{static_cast<long>(day)};
  }
  return format_iso_date(date);
}

Result<XlsxSheet> read_xlsx_sheet(std::string_view package, const std::string& sheet_name) {
  try {
    auto pkg = Package::open(package);
    if (!pkg) return pkg.status();

    // The workbook part: named by the package relationships, conventionally xl/workbook.xml.
    std::string workbook_part = "xl/workbook.xml";
    if (pkg->has("_rels/.rels")) {
      auto root_rels = read_relationships(*pkg, "", true);
      if (!root_rels) return root_rels.status();
      for (const auto& [id, rel] : *root_rels)
        if (rel.type == "officeDocument") workbook_part = rel.target;
    }
    auto workbook = parse_part(*pkg, workbook_part);
    if (!workbook) return workbook.status();
    auto rels = read_relationships(*pkg, workbook_part, true);
    if (!rels) return rels.status();

    XlsxSheet sheet;
    pugi::xml_node wb = child((*workbook)->doc, "workbook");
    if (!wb) return Status::invalid_argument(fmt::format("{}: no <workbook> element", workbook_part));
    std::string_view date1904 = child(wb, "workbookPr").attribute("date1904").value();
    sheet.date1904 = date1904 == "1" || date1904 == "true";

    struct SheetEntry {
      std::string name, rel_id, state;
    };
    std::vector<SheetEntry> entries;
    for (pugi::xml_node s : child(wb, "sheets").children())
      if (s.type() == pugi::node_element && local_name(s.name()) == "sheet")
        entries.push_back({s.attribute("name").value(), attribute(s, "id").value(), s.attribute("state").value()});
    if (entries.empty()) return Status::invalid_argument(fmt::format("{}: the workbook lists no sheets", workbook_part));

    auto rel_of = [&](const SheetEntry& e) -> const Relationship* {
      auto it = rels->find(e.rel_id);
      return it == rels->end() ? nullptr : &it->second;
    };
    const SheetEntry* chosen = nullptr;
    if (sheet_name.empty()) {
      for (const auto& e : entries) {
        const Relationship* rel = rel_of(e);
        if (rel && rel->type == "worksheet" && e.state != "hidden" && e.state != "veryHidden") {
          chosen = &e;
          break;
        }
      }
      if (!chosen) return Status::invalid_argument(fmt::format("{}: the workbook has no visible worksheet", workbook_part));
    } else {
      for (const auto& e : entries)
        if (equal_ignoring_ascii_case(e.name, sheet_name)) chosen = &e;
      if (!chosen) {
        std::string names;
        for (const auto& e : entries) names += fmt::format("{}\"{}\"", names.empty() ? "" : ", ", e.name);
        return Status::invalid_argument(
            fmt::format("sheet \"{}\" is not in the workbook; its sheets are {}", sheet_name, names));
      }
    }
    const Relationship* rel = rel_of(*chosen);
    if (!rel)
      return Status::invalid_argument(fmt::format("{}: sheet \"{}\" names relationship \"{}\", which is not in its "
                                                  "relationships part",
                                                  workbook_part, chosen->name, chosen->rel_id));
    if (rel->type != "worksheet")
      return Status::invalid_argument(
          fmt::format("sheet \"{}\" is a {}, not a worksheet with cells", chosen->name, rel->type));
    sheet.name = chosen->name;

    std::vector<std::string> shared;
    bool have_shared = false;
    for (const auto& [id, r] : *rels) {
      if (r.type != "sharedStrings") continue;
      auto strings = read_shared_strings(*pkg, r.target);
      if (!strings) return strings.status();
      shared = std::move(*strings);
      have_shared = true;
      break;
    }
    if (Status st = read_sheet_data(*pkg, rel->target, shared, have_shared, sheet); !st) return st;
    return sheet;
  } catch (const std::bad_alloc&) {
    return Status::unavailable("out of memory reading the workbook");
  }
}

}  // namespace jiebang
