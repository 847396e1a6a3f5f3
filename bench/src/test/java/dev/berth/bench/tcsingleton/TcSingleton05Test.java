package dev.berth.bench.tcsingleton;

class TcSingleton05Test extends TcSingletonSuiteBase {
}
