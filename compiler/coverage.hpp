// Coverage analysis: a condition is turned into a union of boxes, one domain per "dimension"
// (a field such as `message.chat.kind`, a setting, or an opaque boolean sub-condition).
// With that, "this rule can never fire" is `rule \ (earlier rules) == empty`, "this policy always
// decides" is `scope \ (all rules) == empty`, and two policy scopes overlap when their boxes meet.
// Dimensions are treated as independent, so the analysis is conservative: it may fail to prove
// exhaustiveness (then `otherwise` is required) but never calls a reachable rule dead.
#pragma once

#include "dsl/ast.hpp"
#include "stdlib/schema.hpp"
#include "stdlib/units.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
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
    stdlib::Type type = stdlib::types::error;  // of the value tested; error for an opaque condition
};

// One conjunction: for each constrained dimension, the values it may take. Absent dimensions are free.
// A vector sorted by dimension rather than a std::map: a box holds a handful of dimensions and
// is copied at every step of the analysis, and a copy is then one allocation, not one per node.
class Box {
public:
    using Item = std::pair<std::uint32_t, Domain>;
    using iterator = std::vector<Item>::iterator;
    using const_iterator = std::vector<Item>::const_iterator;

private:
    static bool by_dim(const Item& a, const Item& b) { return a.first < b.first; }
    static bool below(const Item& i, std::uint32_t dim) { return i.first < dim; }
    template <typename Items>
    static auto find_in(Items& items, std::uint32_t dim) {
        auto it = std::lower_bound(items.begin(), items.end(), dim, below);
        return it != items.end() && it->first == dim ? it : items.end();
    }

public:
    Box() = default;
    Box(std::initializer_list<Item> items) : items_(items) { std::sort(items_.begin(), items_.end(), by_dim); }

    iterator begin() { return items_.begin(); }
    iterator end() { return items_.end(); }
    const_iterator begin() const { return items_.begin(); }
    const_iterator end() const { return items_.end(); }
    iterator find(std::uint32_t dim) { return find_in(items_, dim); }
    const_iterator find(std::uint32_t dim) const { return find_in(items_, dim); }
    // The domain of `dim`, added (empty) when the box did not constrain it.
    Domain& operator[](std::uint32_t dim) {
        auto it = std::lower_bound(items_.begin(), items_.end(), dim, below);
        if (it == items_.end() || it->first != dim) it = items_.insert(it, Item{dim, Domain{}});
        return it->second;
    }

private:
    std::vector<Item> items_;
};
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
    // Whether some case is in both.
    bool meets(const Region& a, const Region& b) const;
    // One case of `box`, written as a condition (`message.chat.kind == group and file.size >= 5 MB`):
    // a value of each dimension that `box` constrains more than `within` does. Empty when it
    // constrains none.
    std::string example(const Box& box, const Box& within) const;

    // The largest number of boxes a region may hold before the analysis gives up.
    static constexpr std::size_t max_boxes = 2048;

private:
    std::uint32_t dimension(const std::string& key, Dimension info);
    // The key of the dimension an expression tests: its text as print_expr writes it.
    static std::string key_of(const dsl::Expr& e);
    Domain full(std::uint32_t dim) const;
    std::optional<Region> region(const dsl::Expr& e, bool negated);
    std::optional<Region> atom(const dsl::Expr& e, bool negated);
    std::optional<Region> comparison(const dsl::Binary& b, bool negated);
    Region single(std::uint32_t dim, Domain d, bool negated);
    std::optional<Box> intersect(const Box& a, const Box& b) const;
    std::vector<Box> subtract(const Box& a, const Box& b) const;

    std::string example_of(std::uint32_t dim, const Domain& d) const;

    const stdlib::Schema& schema_;
    std::unordered_map<std::string, std::uint32_t> keys_;
    std::vector<const std::string*> names_;  // the key of each dimension
    std::vector<Dimension> dims_;
};

bool operator==(const Domain& a, const Domain& b);
Domain intersect(const Domain& a, const Domain& b);
Domain complement(const Domain& d, const Dimension& dim);
// `amount` (bytes or milliseconds) in the unit of `units` that gives the shortest exact number:
// 5000000 bytes is `5 MB`, 5242880 is `5 MiB`, 90000 ms is `90 s`.
std::string natural_quantity(std::int64_t amount, std::span<const stdlib::Unit> units);

}  // namespace switchyard::compiler
