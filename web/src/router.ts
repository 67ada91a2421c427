// Hash routes (#/orders/1): the page's own paths never reach the server, so they cannot
// collide with the API paths the gateway routes (/orders/1 is an API resource), and the
// gateway needs no fallback rule to serve the app.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'
import { homeOf, resume, session, type Role } from './session'

declare module 'vue-router' {
  interface RouteMeta {
    role?: Role
    public?: boolean
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: () => (session.current ? homeOf(session.current.role) : '/login') },
  { path: '/login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  { path: '/stores', component: () => import('./views/customer/StoresView.vue'), meta: { role: 'customer' } },
  {
    path: '/stores/:storeId(\\d+)',
    component: () => import('./views/customer/StoreView.vue'),
    props: (r) => ({ storeId: Number(r.params.storeId) }),
    meta: { role: 'customer' },
  },
  { path: '/orders', component: () => import('./views/customer/OrdersView.vue'), meta: { role: 'customer' } },
  {
    path: '/orders/:orderId(\\d+)',
    component: () => import('./views/customer/OrderView.vue'),
    props: (r) => ({ orderId: Number(r.params.orderId) }),
    meta: { role: 'customer' },
  },
  {
    path: '/notifications',
    component: () => import('./views/customer/NotificationsView.vue'),
    meta: { role: 'customer' },
  },
  { path: '/owner', component: () => import('./views/owner/OwnerOrdersView.vue'), meta: { role: 'owner' } },
  { path: '/owner/reviews', component: () => import('./views/owner/OwnerReviewsView.vue'), meta: { role: 'owner' } },
  { path: '/owner/store', component: () => import('./views/owner/OwnerStoreView.vue'), meta: { role: 'owner' } },
  { path: '/admin', component: () => import('./views/admin/AdminStoresView.vue'), meta: { role: 'admin' } },
  { path: '/admin/accounts', component: () => import('./views/admin/AdminAccountsView.vue'), meta: { role: 'admin' } },
  { path: '/rider', component: () => import('./views/rider/RiderView.vue'), meta: { role: 'rider' } },
  { path: '/hood', component: () => import('./views/UnderTheHoodView.vue') },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHashHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  await resume() // after a reload, the refresh cookie may still hold a session
  const current = session.current
  if (to.meta.public) return current && to.path === '/login' ? homeOf(current.role) : true
  if (!current) return { path: '/login', query: { next: to.fullPath } }
  if (to.meta.role && to.meta.role !== current.role) return homeOf(current.role)
  return true
})
