// Attribute-fit functions of the explanations (track record, Han detection).
#include "jiebang/index/fit_rules.h"
#include "jiebang/match/matcher.h"
#include "jiebang/text/normalize.h"

namespace jiebang {

double track_record_fit(const std::string& publisher, const std::vector<PastCustomer>& customers,
                        const std::vector<MatchOutcome>& outcomes, int* exact_count, int* parent_count) {
  return track_record_fit_key(text::normalize_name(publisher), customers, outcomes, exact_count, parent_count);
}

double track_record_fit_key(const std::string& publisher_key, const std::vector<PastCustomer>& customers,
                            const std::vector<MatchOutcome>& outcomes, int* exact_count, int* parent_count) {
  int exact = 0, parent = 0;
  if (!publisher_key.empty()) {
    fit::TrackRecordEvidence ev = fit::track_record_evidence(customers, outcomes);
    if (auto it = ev.exact.find(publisher_key); it != ev.exact.end()) exact = it->second;
    std::string p_parent = fit::parent_org(publisher_key);
    // The parent organisation's evidence includes the publisher's own: counted once, as exact.
    if (auto it = ev.parent.find(p_parent); !p_parent.empty() && it != ev.parent.end()) parent = it->second - exact;
  }
  if (exact_count) *exact_count = exact;
  if (parent_count) *parent_count = parent;
  if (exact > 0) return fit::evidence_fit(exact);
  return 0.5 * fit::evidence_fit(parent);
}

bool has_han(const std::string& text) {
  // U+3400–U+9FFF as UTF-8: lead bytes E3 (from U+3400) to E9.
  for (size_t i = 0; i + 2 < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0xE4 && c <= 0xE9) return true;
    if (c == 0xE3 && static_cast<unsigned char>(text[i + 1]) >= 0x90) return true;
  }
  return false;
}

}  // namespace jiebang
