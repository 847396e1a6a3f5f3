package dev.berth.bench.tcsingleton;

class TcSingleton01Test extends TcSingletonSuiteBase {
}
