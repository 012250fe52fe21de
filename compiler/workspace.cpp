#include "compiler/workspace.hpp"

#include "dsl/parser.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace switchyard::compiler {

namespace fs = std::filesystem;
using common::Code;

namespace {

std::optional<std::string> read_file(const fs::path& path, std::string& reason) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        reason = "is a folder";
        return std::nullopt;
    }
    if (!fs::exists(path, ec)) {
        reason = "does not exist";
        return std::nullopt;
    }
    auto size = fs::file_size(path, ec);
    if (ec) {
        reason = "cannot be read (" + ec.message() + ")";
        return std::nullopt;
    }
    if (size > common::max_source_bytes) {
        reason = "is larger than " + std::to_string(common::max_source_bytes / (1024 * 1024)) + " MiB";
        return std::nullopt;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        reason = "cannot be opened";
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string canonical_of(const fs::path& path) {
    std::error_code ec;
    auto c = fs::weakly_canonical(path, ec);
    return ec ? fs::absolute(path).lexically_normal().string() : c.string();
}

class Loader {
public:
    Loader(Workspace& ws, common::DiagnosticBag& diagnostics) : ws_(ws), diagnostics_(diagnostics) {}

    std::size_t add(std::string display, std::string text, bool requested) {
        std::string canonical = canonical_of(display);
        if (auto it = by_canonical_.find(canonical); it != by_canonical_.end()) {
            ws_.files[it->second].requested |= requested;
            return it->second;
        }
        RuleFile file;
        file.id = ws_.sources.add(display, std::move(text));
        file.path = std::move(display);
        file.canonical = canonical;
        file.requested = requested;
        auto parsed = dsl::parse(ws_.sources, file.id, diagnostics_);
        file.module = std::move(parsed.module);
        file.parsed_cleanly = parsed.ok;
        ws_.files.push_back(std::move(file));
        by_canonical_[canonical] = ws_.files.size() - 1;
        return ws_.files.size() - 1;
    }

    std::optional<std::size_t> find(const std::string& canonical) const {
        auto it = by_canonical_.find(canonical);
        if (it == by_canonical_.end()) return std::nullopt;
        return it->second;
    }

    // Follows imports breadth-first until every imported file is loaded.
    void resolve_imports() {
        for (std::size_t i = 0; i < ws_.files.size(); ++i) {
            for (const auto& decl : ws_.files[i].module.decls) {
                const auto* imp = decl.as<dsl::ImportDecl>();
                if (!imp) continue;
                if (auto target = import_target(i, *imp)) ws_.files[i].imports.push_back(*target);
            }
        }
    }

private:
    std::optional<std::size_t> import_target(std::size_t from, const dsl::ImportDecl& imp) {
        fs::path base = fs::path(ws_.files[from].path).parent_path();
        fs::path target = base / imp.path;
        std::string display = target.lexically_normal().string();
        if (auto known = find(canonical_of(target))) return known;
        std::string reason;
        auto text = read_file(target, reason);
        if (!text) {
            diagnostics_.report(Code::E0600, ws_.files[from].id, imp.path_span,
                                "cannot import `" + imp.path + "`: `" + display + "` " + reason,
                                "paths are relative to the importing file's folder");
            return std::nullopt;
        }
        return add(display, std::move(*text), false);
    }

    Workspace& ws_;
    common::DiagnosticBag& diagnostics_;
    std::map<std::string, std::size_t> by_canonical_;
};

// Depth-first topological order; a back edge is a circular import, reported at its import.
class ImportOrder {
public:
    ImportOrder(Workspace& ws, common::DiagnosticBag& diagnostics)
        : ws_(ws), diagnostics_(diagnostics), state_(ws.files.size(), 0) {}

    void run() {
        for (std::size_t i = 0; i < ws_.files.size(); ++i) visit(i);
    }

private:
    void visit(std::size_t file) {
        if (state_[file] != 0) return;
        state_[file] = 1;
        stack_.push_back(file);
        auto& imports = ws_.files[file].imports;
        for (std::size_t k = 0; k < imports.size();) {
            std::size_t target = imports[k];
            if (state_[target] == 1) {
                report_cycle(file, target);
                imports.erase(imports.begin() + static_cast<std::ptrdiff_t>(k));  // break the cycle
                continue;
            }
            visit(target);
            ++k;
        }
        stack_.pop_back();
        state_[file] = 2;
        ws_.order.push_back(file);
    }

    void report_cycle(std::size_t from, std::size_t to) {
        std::string chain;
        auto start = std::find(stack_.begin(), stack_.end(), to);
        for (auto it = start; it != stack_.end(); ++it) chain += "`" + ws_.files[*it].path + "` -> ";
        chain += "`" + ws_.files[to].path + "`";
        const auto& module = ws_.files[from].module;
        common::Span span;
        for (const auto& decl : module.decls) {
            const auto* imp = decl.as<dsl::ImportDecl>();
            if (imp && canonical_of(fs::path(ws_.files[from].path).parent_path() / imp->path) == ws_.files[to].canonical)
                span = imp->path_span;
        }
        diagnostics_.report(Code::E0601, ws_.files[from].id, span, "circular import: " + chain,
                            "move what both files need into a third file that both import");
    }

    Workspace& ws_;
    common::DiagnosticBag& diagnostics_;
    std::vector<int> state_;  // 0 unvisited, 1 on the stack, 2 done
    std::vector<std::size_t> stack_;
};

}  // namespace

std::vector<std::size_t> Workspace::closure(std::size_t file) const {
    std::vector<std::size_t> out{file};
    std::vector<bool> seen(files.size(), false);
    seen[file] = true;
    for (std::size_t i = 0; i < out.size(); ++i) {
        for (std::size_t dep : files[out[i]].imports) {
            if (!seen[dep]) {
                seen[dep] = true;
                out.push_back(dep);
            }
        }
    }
    return out;
}

std::vector<std::string> rule_files_in(const std::string& folder) {
    std::vector<std::string> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_regular_file(ec) && it->path().extension() == ".rules") found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    return found;
}

Workspace load_workspace(const std::vector<std::string>& paths, common::DiagnosticBag& diagnostics,
                                        std::vector<LoadError>& errors) {
    Workspace ws;
    Loader loader(ws, diagnostics);
    for (const auto& path : paths) {
        std::error_code ec;
        if (fs::is_directory(path, ec)) {
            auto found = rule_files_in(path);
            if (found.empty()) errors.push_back({path, "folder holds no `.rules` files"});
            for (const auto& f : found) {
                std::string reason;
                if (auto text = read_file(f, reason)) loader.add(f, std::move(*text), true);
                else errors.push_back({f, reason});
            }
            continue;
        }
        if (!fs::exists(path, ec)) {
            errors.push_back({path, "no such file or folder"});
            continue;
        }
        std::string reason;
        if (auto text = read_file(path, reason)) loader.add(path, std::move(*text), true);
        else errors.push_back({path, reason});
    }
    loader.resolve_imports();
    ImportOrder(ws, diagnostics).run();
    return ws;
}

Workspace workspace_from_text(std::string path, std::string text, common::DiagnosticBag& diagnostics) {
    Workspace ws;
    Loader loader(ws, diagnostics);
    loader.add(std::move(path), std::move(text), true);
    loader.resolve_imports();
    ImportOrder(ws, diagnostics).run();
    return ws;
}

}  // namespace switchyard::compiler
