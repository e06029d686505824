#include "ferry/core/periodic_task.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace ferry {
namespace {

using std::chrono::milliseconds;

TEST(PeriodicTask, RunsEveryIntervalUntilStopped) {
  boost::asio::io_context io;
  int runs = 0;
  std::unique_ptr<PeriodicTask> task;
  task = std::make_unique<PeriodicTask>(io.get_executor(), milliseconds(1), [&] {
    if (++runs == 3) task->stop();
  });
  task->start();
  task->start();  // no second schedule
  // Returns once nothing is pending: the stop cancelled the timer.
  io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(runs, 3);
  EXPECT_TRUE(io.stopped());
}

TEST(PeriodicTask, NeverRunsWhenStoppedBeforeItsFirstInterval) {
  boost::asio::io_context io;
  int runs = 0;
  PeriodicTask task(io.get_executor(), milliseconds(1), [&] { ++runs; });
  task.start();
  task.stop();
  io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(runs, 0);
}

TEST(PeriodicTask, TheDestructorStopsIt) {
  boost::asio::io_context io;
  int runs = 0;
  {
    PeriodicTask task(io.get_executor(), milliseconds(1), [&] { ++runs; });
    task.start();
  }
  io.run_for(std::chrono::seconds(10));
  EXPECT_EQ(runs, 0);
}

}  // namespace
}  // namespace ferry
