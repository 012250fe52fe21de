// The rule workbench (workbench.hpp).
#include "console/workbench.hpp"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace switchyard::console {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

bool safe_name(std::string_view name) {
    if (name.empty() || name.size() > 200 || name.front() == '/' || !name.ends_with(".rules")) return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.' && c != '/') return false;
    return name.find("..") == std::string_view::npos && name.find("//") == std::string_view::npos;
}

struct Run {
    int code = 0;
    std::string out, err;
};

Run run(const RunCli& run_cli, const std::vector<std::string>& args, const std::string& input = {}) {
    std::istringstream in(input);
    std::ostringstream out, err;
    Run r;
    r.code = run_cli(args, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
}

// The command's standard output as JSON, or none when it printed something else.
std::optional<json::value> output_json(const std::string& out) {
    boost::system::error_code ec;
    auto v = json::parse(out, ec);
    if (ec) return std::nullopt;
    return v;
}

// The files of `body`, written into `scratch`; or the answer that refuses them.
std::optional<Response> prepare(const Request& request, const json::object& body, const Scratch& scratch) {
    auto files = posted_files(body);
    if (auto* bad = std::get_if<std::string>(&files)) return error_reply(request, http::status::bad_request, *bad);
    if (!scratch.write(std::get<std::vector<PostedFile>>(files)))
        return error_reply(request, http::status::internal_server_error, "cannot write the rule files to a temporary folder");
    return std::nullopt;
}

// The rules' problems, when a command found some: 422 with its text, paths as the editor names them.
Response refused(const Request& request, const Scratch& scratch, const Run& r, std::string_view what) {
    return json_reply(request, http::status::unprocessable_entity,
                      json::object{{"error", what}, {"output", scratch.relative(r.out + r.err)}});
}

// A subcommand whose standard output is a JSON document, run on the posted files (their folder
// last on its command line): the document with the paths relative, or 422 with `refusal` and
// what it printed.
Response json_command(const Request& request, const json::object& body, const RunCli& run_cli, std::vector<std::string> args,
                      std::string_view refusal) {
    Scratch scratch;
    if (auto refused_files = prepare(request, body, scratch)) return std::move(*refused_files);
    args.push_back(scratch.dir().string());
    auto r = run(run_cli, args);
    auto doc = output_json(scratch.relative(r.out));
    if (!doc) return refused(request, scratch, r, refusal);
    return json_reply(request, http::status::ok, *doc);
}

// `check --format json`: the diagnostics.
Response check(const Request& request, const json::object& body, const RunCli& run_cli) {
    return json_command(request, body, run_cli, {"check", "--format", "json"}, "the rules cannot be checked");
}

// `fmt -`: the text in its canonical layout.
Response format(const Request& request, const json::object& body, const RunCli& run_cli) {
    const auto* text = body.if_contains("text");
    if (!text || !text->is_string()) return error_reply(request, http::status::bad_request, "text: expected the rule file's text");
    auto r = run(run_cli, {"fmt", "-"}, std::string(text->as_string()));
    if (r.code != 0)
        return json_reply(request, http::status::unprocessable_entity,
                          json::object{{"error", "the text does not parse: fix the syntax errors first"}, {"output", r.out + r.err}});
    return json_reply(request, http::status::ok, json::object{{"text", r.out}});
}

// `test --format json --coverage`: each test's result and the rules they made fire.
Response test(const Request& request, const json::object& body, const RunCli& run_cli) {
    return json_command(request, body, run_cli, {"test", "--format", "json", "--coverage"}, "the rules do not compile");
}

// `eval --rules … --case … --explain`: what the rules decide for one case.
Response eval(const Request& request, const json::object& body, const RunCli& run_cli) {
    const auto* given = body.if_contains("case");
    if (!given || !given->is_object()) return error_reply(request, http::status::bad_request, "case: expected a case (docs/cases.md)");
    Scratch scratch;
    if (auto refusal = prepare(request, body, scratch)) return std::move(*refusal);
    auto case_file = scratch.dir() / "case.json";
    std::ofstream(case_file) << json::serialize(*given);
    auto r = run(run_cli, {"eval", "--rules", scratch.dir().string(), "--case", case_file.string(), "--explain"});
    auto doc = output_json(scratch.relative(r.out));
    if (!doc) return refused(request, scratch, r, "the case cannot be evaluated");
    return json_reply(request, http::status::ok, *doc);
}

// `compile`: the compiled ruleset's bytes, for /api/v1/ruleset/preview and /api/v1/ruleset.
Response compile(const Request& request, const json::object& body, const RunCli& run_cli) {
    Scratch scratch;
    if (auto refusal = prepare(request, body, scratch)) return std::move(*refusal);
    auto output = scratch.dir() / "ruleset.swy";
    auto r = run(run_cli, {"compile", scratch.dir().string(), "-o", output.string()});
    std::ifstream file(output, std::ios::binary);
    if (r.code != 0 || !file) return refused(request, scratch, r, "the rules do not compile");
    std::ostringstream bytes;
    bytes << file.rdbuf();
    return text_reply(request, http::status::ok, bytes.str(), "application/octet-stream");
}

}  // namespace

std::variant<std::vector<PostedFile>, std::string> posted_files(const json::object& body) {
    const auto* files = body.if_contains("files");
    if (!files || !files->is_array() || files->as_array().empty()) return std::string("files: expected [{\"file\", \"text\"}, …]");
    if (files->as_array().size() > max_posted_files)
        return "files: at most " + std::to_string(max_posted_files) + " rule files";
    std::vector<PostedFile> out;
    for (const auto& item : files->as_array()) {
        const auto* o = item.if_object();
        const auto* file = o ? o->if_contains("file") : nullptr;
        const auto* text = o ? o->if_contains("text") : nullptr;
        if (!file || !file->is_string() || !text || !text->is_string()) return std::string("files: each needs `file` and `text`, strings");
        std::string name(file->as_string());
        if (!safe_name(name)) return "files: `" + name + "` is not a relative `.rules` name (letters, digits, `_-./`, no `..`)";
        out.push_back({std::move(name), std::string(text->as_string())});
    }
    return out;
}

Scratch::Scratch() {
    auto pattern = (fs::temp_directory_path() / "switchyard-console-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot make a temporary folder for the rule files");
    dir_ = pattern;  // mkdtemp makes it 0700
}

Scratch::~Scratch() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

bool Scratch::write(const std::vector<PostedFile>& files) const {
    for (const auto& f : files) {
        auto path = dir_ / f.file;
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << f.text;
        if (ec || !out) return false;
    }
    return true;
}

std::string Scratch::relative(std::string text) const {
    auto prefix = dir_.string() + "/";
    for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at)) text.erase(at, prefix.size());
    return text;
}

std::optional<Response> workbench(const Request& request, std::string_view action, const RunCli& run_cli) {
    using Action = Response (*)(const Request&, const json::object&, const RunCli&);
    static const std::pair<std::string_view, Action> actions[] = {
        {"check", check}, {"format", format}, {"test", test}, {"eval", eval}, {"compile", compile}};
    for (const auto& [name, act] : actions) {
        if (name != action) continue;
        if (request.method() != http::verb::post) return error_reply(request, http::status::method_not_allowed, "POST the rule files");
        auto body = json_body(request);
        if (auto* bad = std::get_if<Response>(&body)) return std::move(*bad);
        return act(request, std::get<json::object>(body), run_cli);
    }
    return std::nullopt;
}

}  // namespace switchyard::console
