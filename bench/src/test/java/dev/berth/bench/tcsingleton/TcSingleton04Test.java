package dev.berth.bench.tcsingleton;

class TcSingleton04Test extends TcSingletonSuiteBase {
}
