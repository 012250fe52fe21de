// Coverage analysis: a condition is turned into a union of boxes, one domain per "dimension"
// (a field such as `message.chat.kind`, a setting, or an opaque boolean sub-condition).
// With that, "this rule can never fire" is `rule \ (earlier rules) == empty`, "this policy always
// decides" is `scope \ (all rules) == empty`, and two policy scopes overlap when their boxes meet.
// Dimensions are treated as independent, so the analysis is conservative: it may fail to prove
// exhaustiveness (then `otherwise` is required) but never calls a reachable rule dead.
#pragma once

#include "dsl/ast.hpp"
#include "stdlib/schema.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::compiler {

// The values one dimension may take.
struct Domain {
    enum class Kind : std::uint8_t { finite, integers, strings };
    Kind kind = Kind::finite;
    std::uint64_t bits = 0;                                  // finite: one bit per member
    std::vector<std::pair<std::int64_t, std::int64_t>> ranges;  // integers: sorted, disjoint, inclusive
    bool complement = false;                                 // strings: all strings but `strings`
    std::vector<std::string> strings;                        // strings: sorted
    bool none = false;                                       // the value may be `none`

    bool empty() const;
};

struct Dimension {
    Domain::Kind kind;
    std::uint32_t members = 0;  // finite dimensions
    bool optional = false;
};

// One conjunction: for each constrained dimension, the values it may take. Absent dimensions are free.
using Box = std::map<std::uint32_t, Domain>;
// A union of boxes; nullopt inside the analysis means "too complex to tell".
using Region = std::vector<Box>;

class CoverageAnalysis {
public:
    explicit CoverageAnalysis(const stdlib::Schema& schema) : schema_(schema) {}

    // The region where `condition` (a checked expression) is true; nullopt when too complex.
    std::optional<Region> region_of(const dsl::Expr& condition);
    // The region of a policy scope: each dimension of the schema constrained to its listed values.
    Region scope_region(const std::vector<std::pair<std::string, std::uint64_t>>& constrained);
    // `from` minus `minus`; nullopt when the result grows past the analysis limit.
    std::optional<Region> subtract(const Region& from, const Region& minus);
    // nullopt when the result grows past the analysis limit.
    std::optional<Region> intersect(const Region& a, const Region& b);
    bool empty(const Region& r) const { return r.empty(); }

    // The largest number of boxes a region may hold before the analysis gives up.
    static constexpr std::size_t max_boxes = 2048;

private:
    std::uint32_t dimension(const std::string& key, Dimension info);
    Domain full(std::uint32_t dim) const;
    std::optional<Region> region(const dsl::Expr& e, bool negated);
    std::optional<Region> atom(const dsl::Expr& e, bool negated);
    std::optional<Region> comparison(const dsl::Binary& b, bool negated);
    Region single(std::uint32_t dim, Domain d, bool negated);
    std::optional<Box> intersect(const Box& a, const Box& b) const;
    std::vector<Box> subtract(const Box& a, const Box& b) const;

    const stdlib::Schema& schema_;
    std::map<std::string, std::uint32_t> keys_;
    std::vector<Dimension> dims_;
};

Domain intersect(const Domain& a, const Domain& b);
Domain complement(const Domain& d, const Dimension& dim);

}  // namespace switchyard::compiler
