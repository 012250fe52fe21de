// How fast rule files are parsed and checked: a generated ruleset of about 100 000 lines (what a
// large installation might grow to), and the shipped rules (what `switchyard check rules/` does).
#include "common/diagnostic.hpp"
#include "compiler/checker.hpp"
#include "compiler/lower.hpp"
#include "compiler/workspace.hpp"
#include "dsl/parser.hpp"
#include "runtime/vm/image.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace common = switchyard::common;
namespace compiler = switchyard::compiler;
namespace dsl = switchyard::dsl;
namespace vm = switchyard::vm;

constexpr std::size_t target_lines = 100'000;

std::size_t count_lines(std::string_view text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Writes a ruleset section by section. Each section declares its own settings and lets and
// reads all of them from a dozen policies of every kind, so the whole file checks without an
// error. Every policy gets its own priority: thousands of policies of one kind necessarily share
// scopes, so all but the highest of each scope never apply, and `check` warns about each (W0005,
// about 10,400 warnings): part of the work measured. Randomness (fixed seed, raw engine output only) varies the
// transports, thresholds and words, so the text is not one block repeated.
class RulesetGenerator {
public:
    std::string generate(std::size_t lines) {
        std::string text = "ruleset generated\n\n";
        for (std::size_t k = 0, written = count_lines(text); written < lines; ++k) {
            out_.str({});
            section(k);
            std::string part = out_.str();
            written += count_lines(part);
            text += part;
        }
        return text;
    }

private:
    std::uint32_t pick(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
    template <typename T, std::size_t N>
    const T& one_of(const T (&items)[N]) { return items[pick(N)]; }
    std::size_t priority() { return ++priority_; }

    void section(std::size_t k) {
        static const char* const descriptions[] = {
            "Create a new task if there is no active communication task with this contact.",
            "When off, every message of the contact goes to one task, which is reopened.",
        };
        out_ << "# ---- section " << k << " ----\n\n";
        out_ << "setting new_task_if_no_active_" << k << ": bool = " << (pick(2) ? "true" : "false") << "\n"
             << "    \"" << one_of(descriptions) << "\"\n";
        out_ << "setting notify_only_chat_members_" << k << ": bool = false\n";
        out_ << "setting send_as_employee_" << k << ": bool = " << (pick(2) ? "true" : "false") << "\n";
        out_ << "setting media_limit_" << k << ": size = " << (20 + pick(80)) << " MB\n";
        out_ << "setting reply_window_" << k << ": duration = " << (12 + pick(36)) << " h\n\n";
        out_ << "let document_limit_" << k << " = " << (1 + pick(20)) << " MB\n";
        out_ << "let image_limit_" << k << " = " << (256 + pick(8) * 512) << " KiB\n";
        out_ << "let huge_file_" << k << " = " << (1 + pick(4)) << " GB\n";
        out_ << "let archive_types_" << k << " = [\"zip\", \"rar\", \"7z\"]\n\n";
        routing(k);
        routing_comments(k);
        reopen(k);
        notification(k);
        attachment_outbound(k);
        attachment_inbound(k);
        delivery(k);
        delivery_whatsapp(k);
        command(k);
        reaction(k);
        quick_replies(k);
        alert(k);
        test(k);
    }

    void routing(std::size_t k) {
        static const char* const transports[] = {"telegram", "whatsapp", "instagram"};
        static const char* const words[] = {"invoice", "refund", "delivery", "urgent", "order", "price"};
        out_ << "policy routing for inbound via " << one_of(transports) << " priority " << priority() << " {\n"
             << "    when message.chat.kind in {group, channel} -> linked_task(message.chat)\n"
             << "    when message.edited -> ignore(\"edits are kept as they are\")\n"
             << "    when contains(lower(message.text), \"" << one_of(words) << "\") and message.command == none\n"
             << "        -> thread(message.channel, message.chat, title: \"Order: \" + message.sender.name,\n"
             << "                  project: \"Sales " << k << "\")\n"
             << "    when integration.service == wazzup and message.chat.kind == direct\n"
             << "        -> thread(message.channel, message.chat, title: message.sender.name + \" (\" + str(message.transport) + \", \" + integration.name + \", \" + message.channel.number + \")\")\n"
             << "    otherwise -> thread(message.channel.number, message.chat.id)\n"
             << "}\n\n";
    }

    void routing_comments(std::size_t k) {
        out_ << "policy routing via instagram in comment priority " << priority() << " {\n"
             << "    when message.post != none -> thread(message.post, message.sender,\n"
             << "                                        description: \"Comment " << k << " under a post\")\n"
             << "    otherwise -> ignore(\"a comment without its post\")\n"
             << "}\n\n";
    }

    void reopen(std::size_t k) {
        out_ << "policy reopen for inbound priority " << priority() << " {\n"
             << "    when setting.new_task_if_no_active_" << k << " -> new_task\n"
             << "    when task.status == cancelled -> new_task\n"
             << "    when now - (conversation.last_inbound_at ?? task.created_at) < " << (1 + pick(12)) << " h -> append\n"
             << "    otherwise -> reopen\n"
             << "}\n\n";
    }

    void notification(std::size_t k) {
        out_ << "policy notification for inbound via telegram in group, channel priority " << priority() << " {\n"
             << "    let named = message.mentions\n"
             << "    let recent = (last_message_with(message.sender) ?? message).participants where it.is_employee\n"
             << "    let members = task.assignees where member_of(it, message.chat)\n"
             << "    when any(named) -> notify(named, mentioned)\n"
             << "    when any(recent) -> notify(recent, recent_participant)\n"
             << "    when setting.notify_only_chat_members_" << k << " -> notify(members, assignee)\n"
             << "    otherwise -> notify(task.assignees where it.has_access or has_role(it, task), assignee)\n"
             << "}\n\n";
    }

    void attachment_outbound(std::size_t k) {
        static const char* const transports[] = {"telegram", "whatsapp"};
        out_ << "policy attachment for outbound via " << one_of(transports) << " priority " << priority() << " {\n"
             << "    when file.ext in {\"pdf\", \"zip\"} and file.size < document_limit_" << k << " -> attach\n"
             << "    when file.ext in {\"jpg\", \"jpeg\", \"png\", \"gif\"} and file.size < image_limit_" << k
             << " -> inline\n"
             << "    when file.ext == \"mp4\" and file.size < setting.media_limit_" << k << " -> attach\n"
             << "    when file.ext == \"mp3\" and file.size < " << (10 + pick(40)) << " MB -> attach\n"
             << "    when file.size > huge_file_" << k << " -> reject(\"files over the limit are not sent\")\n"
             << "    otherwise -> link\n"
             << "}\n\n";
    }

    void attachment_inbound(std::size_t k) {
        out_ << "policy attachment for inbound priority " << priority() << " {\n"
             << "    when file.ext in archive_types_" << k << " and file.size > " << (100 + pick(400))
             << " MB -> reject(\"archives this large are not stored\")\n"
             << "    when file.kind in {image, sticker} -> inline\n"
             << "    otherwise -> attach\n"
             << "}\n\n";
    }

    void delivery(std::size_t k) {
        out_ << "policy delivery for outbound via telegram priority " << priority() << " {\n"
             << "    when channel.deleted -> refuse(\"the channel was deleted\")\n"
             << "    when not message.notifies_contact and conversation.expects_reply -> refuse(\"choose whom to notify\")\n"
             << "    when conversation.started_by == employee and not contact.has_written\n"
             << "        -> refuse(\"nobody can write first to a Telegram user\")\n"
             << "    when contact.blocked_bot or conversation.customer_stopped_bot -> refuse(\"the customer stopped the bot\")\n"
             << "    when now - (conversation.last_inbound_at ?? now) > setting.reply_window_" << k
             << " -> refuse(\"the reply window is closed\")\n"
             << "    when setting.send_as_employee_" << k << " -> send(signature: employee.name)\n"
             << "    otherwise -> send\n"
             << "}\n\n";
    }

    void delivery_whatsapp(std::size_t) {
        out_ << "policy delivery for outbound via whatsapp, instagram priority " << priority() << " {\n"
             << "    when channel.deleted -> refuse(\"the channel was deleted\")\n"
             << "    when message.transport == instagram and conversation.started_by == employee\n"
             << "        -> refuse(\"Instagram is reply-only\")\n"
             << "    when message.reply_to != none -> send(reply_to: message.reply_to ?? 0)\n"
             << "    otherwise -> send\n"
             << "}\n\n";
    }

    void command(std::size_t k) {
        out_ << "policy command for inbound via telegram in private priority " << priority() << " {\n"
             << "    when message.command == \"start\" -> reply(\"Hello! Write your question " << k << ".\")\n"
             << "    when message.command == \"tasks" << k << "\" -> show_open_tasks\n"
             << "    when message.command in {\"new" << k << "\", \"task" << k << "\"} -> create_task\n"
             << "    when message.command == \"join" << k << "\" and contact.is_new -> add_contact\n"
             << "    otherwise -> pass\n"
             << "}\n\n";
    }

    void reaction(std::size_t) {
        out_ << "policy reaction via telegram priority " << priority() << " {\n"
             << "    when not reaction.added -> unlike\n"
             << "    when reaction.anonymous -> skip\n"
             << "    when reaction.emoji in {\"\xF0\x9F\x91\x8D\", \"\xE2\x9D\xA4\", \"\xF0\x9F\x94\xA5\"} -> like\n"
             << "    otherwise -> skip\n"
             << "}\n\n";
    }

    void quick_replies(std::size_t k) {
        out_ << "policy quick_replies for outbound priority " << priority() << " {\n"
             << "    when employee.is_owner -> [quick_reply(\"greeting\", \"Hello!\"),\n"
             << "                               quick_reply(\"discount " << k << "\", \"We can offer "
             << (5 + pick(20)) << "% off.\")]\n"
             << "    otherwise -> [quick_reply(\"greeting\", \"Hello!\")]\n"
             << "}\n\n";
    }

    // Proven exhaustive without `otherwise`: the two conditions complement each other.
    void alert(std::size_t) {
        out_ << "policy alert priority " << priority() << " {\n"
             << "    when employee.telegram_linked and account.plan != free -> bot_message\n"
             << "    when not employee.telegram_linked or account.plan == free -> tracker_only\n"
             << "}\n\n";
    }

    void test(std::size_t k) {
        out_ << "test \"a message after completion follows the setting (" << k << ")\" {\n"
             << "    given message { transport: whatsapp, text: \"hello again\" }\n"
             << "    given task { status: completed }\n"
             << "    given setting { new_task_if_no_active_" << k << ": true }\n"
             << "    expect reopen == new_task\n"
             << "}\n\n";
    }

    std::ostringstream out_;
    std::mt19937_64 rng_{20240601};
    std::size_t priority_ = 0;
};

// The generated text; with SWITCHYARD_BENCH_DUMP=path set, also written there to be read or checked
// by hand (`switchyard check path`).
const std::string& generated_ruleset() {
    static const std::string text = [] {
        std::string t = RulesetGenerator().generate(target_lines);
        if (const char* dump = std::getenv("SWITCHYARD_BENCH_DUMP"); dump && *dump) {
            std::ofstream(dump, std::ios::binary) << t;
        }
        return t;
    }();
    return text;
}

std::size_t error_count(const common::DiagnosticBag& bag) {
    return static_cast<std::size_t>(std::count_if(bag.items().begin(), bag.items().end(), [](const common::Diagnostic& d) {
        return d.severity == common::Severity::error;
    }));
}

// Prints the first diagnostics, so that whoever sees the skipped benchmark can fix the cause.
void print_first(const common::DiagnosticBag& bag, const common::SourceMap& sources, std::size_t limit = 10) {
    auto sorted = bag.sorted(sources);
    if (sorted.size() > limit) sorted.resize(limit);
    std::cerr << summarize(bag.sorted(sources)) << "; the first:\n";
    common::render_text(sorted, sources, std::cerr);
}

// Parses and checks `text` once; true when no error was reported (the W0005 warnings of the
// generated ruleset are expected, see RulesetGenerator).
bool checks_clean(const std::string& text) {
    common::DiagnosticBag bag;
    auto ws = compiler::workspace_from_text("generated.rules", text, bag);
    auto result = compiler::check(ws, bag);
    benchmark::DoNotOptimize(result);
    if (error_count(bag) == 0) return true;
    print_first(bag, ws.sources);
    return false;
}

void BM_ParseCheck100k(benchmark::State& state) {
    const std::string& text = generated_ruleset();
    const std::size_t lines = count_lines(text);
    if (!checks_clean(text)) {
        state.SkipWithError("the generated ruleset does not check without errors (diagnostics on stderr)");
        return;
    }
    for (auto _ : state) {
        common::DiagnosticBag bag;
        auto ws = compiler::workspace_from_text("generated.rules", text, bag);
        auto result = compiler::check(ws, bag);
        benchmark::DoNotOptimize(result);
    }
    state.counters["lines"] = static_cast<double>(lines);
    state.counters["lines_per_second"] =
        benchmark::Counter(static_cast<double>(lines * state.iterations()), benchmark::Counter::kIsRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(text.size() * state.iterations()));
}
BENCHMARK(BM_ParseCheck100k)->Unit(benchmark::kMillisecond);

void BM_ParseOnly(benchmark::State& state) {
    common::SourceMap sources;
    auto file = sources.add("generated.rules", generated_ruleset());
    const std::size_t lines = count_lines(sources.file(file).text());
    for (auto _ : state) {
        common::DiagnosticBag bag;
        auto parsed = dsl::parse(sources, file, bag);
        benchmark::DoNotOptimize(parsed);
        if (!parsed.ok) {
            print_first(bag, sources);
            state.SkipWithError("the generated ruleset does not parse (diagnostics on stderr)");
            return;
        }
    }
    state.counters["lines"] = static_cast<double>(lines);
    state.counters["lines_per_second"] =
        benchmark::Counter(static_cast<double>(lines * state.iterations()), benchmark::Counter::kIsRate);
    state.SetBytesProcessed(static_cast<std::int64_t>(sources.file(file).text().size() * state.iterations()));
}
BENCHMARK(BM_ParseOnly)->Unit(benchmark::kMillisecond);

std::string rules_folder() {
    const char* env = std::getenv("SWITCHYARD_SOURCE_DIR");
    std::string root = env && *env ? env : SWITCHYARD_SOURCE_DIR;
    return root + "/rules";
}

void BM_CheckShippedRules(benchmark::State& state) {
    const std::vector<std::string> paths = compiler::rule_files_in(rules_folder());
    if (paths.empty()) {
        state.SkipWithError(("no `.rules` files in " + rules_folder()).c_str());
        return;
    }
    std::size_t lines = 0;
    {
        common::DiagnosticBag bag;
        std::vector<compiler::LoadError> errors;
        auto ws = compiler::load_workspace(paths, bag, errors);
        auto result = compiler::check(ws, bag);
        benchmark::DoNotOptimize(result);
        for (const auto& e : errors) std::cerr << e.path << ": " << e.reason << '\n';
        if (!errors.empty() || error_count(bag) != 0) {
            print_first(bag, ws.sources);
            state.SkipWithError("the shipped rules do not load and check without errors (see stderr)");
            return;
        }
        for (std::size_t i = 0; i < ws.sources.size(); ++i) lines += count_lines(ws.sources.file(static_cast<common::FileId>(i)).text());
    }
    for (auto _ : state) {
        common::DiagnosticBag bag;
        std::vector<compiler::LoadError> errors;
        auto ws = compiler::load_workspace(paths, bag, errors);
        auto result = compiler::check(ws, bag);
        benchmark::DoNotOptimize(result);
    }
    state.counters["files"] = static_cast<double>(paths.size());
    state.counters["lines"] = static_cast<double>(lines);
    state.counters["lines_per_second"] =
        benchmark::Counter(static_cast<double>(lines * state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CheckShippedRules)->Unit(benchmark::kMillisecond);


// Large literal data in rules (issue: "Scale of rule files"): a policy testing membership in a
// set of 100,000 strings, and a setting holding 200,000 strings. Each checked, and compiled and
// loaded (lowered, verified, prepared), in one iteration: both must stay linear.
std::string large_set_rules(std::size_t strings, bool as_setting) {
    std::string items;
    items.reserve(strings * 10);
    for (std::size_t i = 0; i < strings; ++i) items += (i ? ", \"w" : "\"w") + std::to_string(i) + "\"";
    if (as_setting)
        return "setting blocked: list<string> = [" + items + "]\n    \"blocked words\"\n"
               "policy routing for inbound {\n    when message.text in setting.blocked -> ignore(\"spam\")\n"
               "    otherwise -> ignore(\"x\")\n}\n";
    return "policy routing for inbound {\n    when message.text in {" + items + "} -> ignore(\"spam\")\n"
           "    otherwise -> ignore(\"x\")\n}\n";
}

void large_set(benchmark::State& state, std::size_t strings, bool as_setting, bool compile_too) {
    const std::string text = large_set_rules(strings, as_setting);
    for (auto _ : state) {
        common::DiagnosticBag bag;
        auto ws = compiler::workspace_from_text("large.rules", text, bag);
        if (!compile_too) {
            benchmark::DoNotOptimize(compiler::check(ws, bag));
            continue;
        }
        auto module = compiler::compile(ws, bag);
        if (!module) {
            state.SkipWithError("the large rules do not compile");
            return;
        }
        auto image = vm::load_module(std::move(*module));
        benchmark::DoNotOptimize(image);
    }
    state.counters["strings"] = static_cast<double>(strings);
}

void BM_LargeSetCheck(benchmark::State& state) { large_set(state, 100000, false, false); }
void BM_LargeSetCompile(benchmark::State& state) { large_set(state, 100000, false, true); }
void BM_LargeSettingCheck(benchmark::State& state) { large_set(state, 200000, true, false); }
void BM_LargeSettingCompile(benchmark::State& state) { large_set(state, 200000, true, true); }
BENCHMARK(BM_LargeSetCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LargeSetCompile)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LargeSettingCheck)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LargeSettingCompile)->Unit(benchmark::kMillisecond);

}  // namespace
