package dev.berth.bench.tcsingleton;

class TcSingleton02Test extends TcSingletonSuiteBase {
}
