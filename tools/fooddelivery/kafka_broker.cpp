// fooddelivery kafka-broker: librdkafka's mock Kafka cluster as a process of its own, so that
// tests and local runs have a Kafka-protocol broker on real sockets. In memory only, on ports
// the mock picks: the bootstrap list is printed and written to a file for the services.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "command.hpp"

namespace fd::cli {

namespace {

struct BrokerOptions {
  int brokers = 3;
  int partitions = 6;
  std::string topic = "fooddelivery";
  std::string bootstrap_file;
};

// Written beside its final name and renamed, so that a reader never sees half a list.
void write_atomically(const std::string& path, const std::string& text) {
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << text << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write the bootstrap list to " + partial);
  }
  std::filesystem::rename(partial, path);
}

int run_broker(const BrokerOptions& options) {
  // Blocked before any librdkafka thread starts, so that sigwait below is their only receiver.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  char error[512] = "";
  // The mock cluster lives inside a client handle; a producer needs no broker to be created.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The host handle connects nowhere: its notice that no bootstrap.servers is set is noise.
  rd_kafka_conf_set(conf, "log_level", "4", error, sizeof error);
  rd_kafka_t* host = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (!host) {
    std::fprintf(stderr, "kafka-broker: cannot create the librdkafka handle: %s\n", error);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(host, options.brokers);
  if (!cluster) {
    std::fprintf(stderr, "kafka-broker: cannot start a mock cluster of %d brokers\n", options.brokers);
    rd_kafka_destroy(host);
    return 1;
  }
  // Replication factor: every broker, at most 3, as a production topic would have.
  const int replicas = options.brokers < 3 ? options.brokers : 3;
  if (auto err = rd_kafka_mock_topic_create(cluster, options.topic.c_str(), options.partitions, replicas)) {
    std::fprintf(stderr, "kafka-broker: cannot create topic %s with %d partitions: %s\n", options.topic.c_str(),
                 options.partitions, rd_kafka_err2str(err));
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(host);
    return 1;
  }
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  int status = 0;
  try {
    if (!options.bootstrap_file.empty()) write_atomically(options.bootstrap_file, bootstrap);
    std::printf("%s\n", bootstrap.c_str());
    std::fflush(stdout);
    int signal = 0;
    sigwait(&stop_signals, &signal);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kafka-broker: %s\n", e.what());
    status = 1;
  }
  if (!options.bootstrap_file.empty()) {
    std::error_code ignored;  // a list naming ports nobody listens on would mislead a service
    std::filesystem::remove(options.bootstrap_file, ignored);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(host);
  return status;
}

}  // namespace

Command kafka_broker_command(CLI::App& cli) {
  auto options = std::make_shared<BrokerOptions>();
  auto* app =
      cli.add_subcommand("kafka-broker", "run librdkafka's in-memory mock Kafka cluster (a test broker) until SIGTERM");
  app->footer(
      "Prints the bootstrap list (host:port,...) once the cluster listens, for FD_BUS_URL=kafka://<list>. "
      "Keeps nothing on disk: its events are gone when it stops. Never a production broker.");
  app->add_option("--brokers", options->brokers, "how many brokers the cluster has")
      ->default_val(3)
      ->check(at_least(1));
  app->add_option("--partitions", options->partitions, "partitions of the topic")->default_val(6)->check(at_least(1));
  app->add_option("--topic", options->topic, "the topic the events go to")->default_val("fooddelivery");
  app->add_option("--bootstrap-file", options->bootstrap_file, "also write the bootstrap list to this file");
  return {app, [options] { return run_broker(*options); }};
}

}  // namespace fd::cli
