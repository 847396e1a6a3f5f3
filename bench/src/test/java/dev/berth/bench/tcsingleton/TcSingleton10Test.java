package dev.berth.bench.tcsingleton;

class TcSingleton10Test extends TcSingletonSuiteBase {
}
