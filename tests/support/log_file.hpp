// A file a log::Logger writes to in a test, read back as JSON objects, one per line; removed
// at the end.
#pragma once

#include <boost/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace switchyard::testing {

class LogFile {
public:
    LogFile()
        : path_(std::filesystem::temp_directory_path() / ("switchyard-log-" + std::to_string(::getpid()) + ".jsonl")),
          fd_(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) {}
    ~LogFile() {
        ::close(fd_);
        std::filesystem::remove(path_);
    }
    LogFile(const LogFile&) = delete;
    LogFile& operator=(const LogFile&) = delete;

    int fd() const { return fd_; }
    // Every line written so far (flush the logger first).
    std::vector<boost::json::object> lines() const {
        std::vector<boost::json::object> out;
        std::ifstream in(path_);
        for (std::string line; std::getline(in, line);) out.push_back(boost::json::parse(line).as_object());
        return out;
    }
    // The lines whose event is `event`.
    std::vector<boost::json::object> lines(std::string_view event) const {
        std::vector<boost::json::object> out;
        for (auto& line : lines())
            if (line.at("event").as_string() == event) out.push_back(std::move(line));
        return out;
    }

private:
    std::filesystem::path path_;
    int fd_;
};

}  // namespace switchyard::testing
