package dev.berth.bench.tcsingleton;

class TcSingleton08Test extends TcSingletonSuiteBase {
}
